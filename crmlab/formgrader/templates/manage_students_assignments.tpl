{%- extends 'manage_students_base.tpl' -%}

{%- block page_data %}data-student-id="{{ student_id }}"{% endblock -%}

{%- block head -%}
<script src="{{ base_url }}/formgrader/static/js/manage_students_assignments.js"></script>
{%- endblock head -%}

{%- block breadcrumbs -%}
<ol class="breadcrumb">
  <li><a href="{{ base_url }}/formgrader/manage_students">学生</a></li>
  <li class="active">{{ student_id }}</li>
</ol>
{%- endblock -%}

{%- block table_header -%}
<tr>
  <th>作业编号</th>
  <th class="text-center">总分</th>
  <th class="text-center">代码题得分</th>
  <th class="text-center">书面题得分</th>
  <th class="text-center">任务题得分</th>
  <th class="text-center">待人工评阅？</th>
</tr>
{%- endblock -%}

{%- block table_body -%}
<tr><td colspan="5">正在加载，请稍候……</td></tr>
{%- endblock -%}
