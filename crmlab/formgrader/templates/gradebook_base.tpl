{%- extends 'base.tpl' -%}

{%- block title -%}
人工评阅
{%- endblock -%}

{%- block active_page %}grading{% endblock -%}
