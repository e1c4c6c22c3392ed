{%- extends 'base.tpl' -%}

{%- block title -%}
出错了
{%- endblock -%}

{%- block body -%}
<div class="panel-body">
抱歉，Formgrader 遇到了错误。请联系管理这台服务器的老师或管理员。
<span id="error-{{ error_code }}"></span>
</div>
{%- endblock -%}
