{%- extends 'gradebook_base.tpl' -%}

{%- block page_data %}data-assignment-id="{{ assignment_id }}"{% endblock -%}

{%- block head -%}
<script src="{{ base_url }}/formgrader/static/js/gradebook_notebooks.js"></script>
{%- endblock head -%}

{%- block breadcrumbs -%}
<ol class="breadcrumb">
  <li><a href="{{ base_url }}/formgrader/gradebook">人工评阅</a></li>
  <li class="active">{{ assignment_id }}</li>
</ol>
{%- endblock -%}

{%- block table_header -%}
<tr>
  <th>笔记本</th>
  <th class="text-center">平均得分</th>
  <th class="text-center">代码题平均分</th>
  <th class="text-center">书面题平均分</th>
  <th class="text-center">任务题平均分</th>
  <th class="text-center">有待人工评阅？</th>
</tr>
{%- endblock -%}

{%- block table_body -%}
<tr><td colspan="6">正在加载，请稍候……</td></tr>
{%- endblock -%}
