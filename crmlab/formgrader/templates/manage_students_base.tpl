{%- extends 'base.tpl' -%}

{%- block title -%}
学生名单
{%- endblock -%}

{%- block active_page %}students{% endblock -%}
