{%- extends 'base.tpl' -%}

{%- block title -%}
没有权限
{%- endblock -%}

{%- block body -%}
<div class="panel-body">
抱歉，你没有使用 Formgrader 的权限。
<span id="error-{{ error_code }}"></span>
</div>
{%- endblock -%}
