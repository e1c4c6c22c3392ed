{%- extends 'gradebook_base.tpl' -%}

{%- block page_data %}data-assignment-id="{{ assignment_id }}" data-notebook-id="{{ notebook_id }}"{% endblock -%}

{%- block head -%}
<script src="{{ base_url }}/formgrader/static/js/gradebook_notebook_submissions.js"></script>
{%- endblock head -%}

{%- block breadcrumbs -%}
<ol class="breadcrumb">
  <li><a href="{{ base_url }}/formgrader/gradebook">人工评阅</a></li>
  <li><a href="{{ base_url }}/formgrader/gradebook/{{ assignment_id }}">{{ assignment_id }}</a></li>
  <li class="active">{{ notebook_id }}</li>
</ol>
{%- endblock -%}

{%- block messages -%}
<button id="toggle_names" data-crmlab-call="toggleAllNames">显示全部姓名</button>
{%- endblock -%}

{%- block table_header -%}
<tr>
  <th></th>
  <th>提交</th>
  <th class="text-center">总分</th>
  <th class="text-center">代码题得分</th>
  <th class="text-center">书面题得分</th>
  <th class="text-center">任务题得分</th>
  <th class="text-center">待人工评阅？</th>
  <th class="text-center">有未通过的测试？</th>
  <th class="text-center">已标记？</th>
</tr>
{%- endblock -%}

{%- block table_body -%}
<tr><td colspan="8">正在加载，请稍候……</td></tr>
{%- endblock -%}
