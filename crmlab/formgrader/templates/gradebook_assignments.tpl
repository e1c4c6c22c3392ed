{%- extends 'gradebook_base.tpl' -%}

{%- block head -%}
<script src="{{ base_url }}/formgrader/static/js/gradebook_assignments.js"></script>
{%- endblock -%}

{%- block breadcrumbs -%}
<ol class="breadcrumb">
  <li class="active">人工评阅</li>
</ol>
{%- endblock -%}

{%- block table_header -%}
<tr>
  <th>作业编号</th>
  <th class="text-center">截止时间</th>
  <th class="text-center">提交数</th>
  <th class="text-center">平均得分</th>
</tr>
{%- endblock -%}

{%- block table_body -%}
<tr><td colspan="4">正在加载，请稍候……</td></tr>
{%- endblock -%}
