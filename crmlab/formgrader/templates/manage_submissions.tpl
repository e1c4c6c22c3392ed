{%- extends 'base.tpl' -%}

{%- block page_data %}data-assignment-id="{{ assignment_id }}"{% endblock -%}

{%- block head -%}
<script src="{{ base_url }}/formgrader/static/js/manage_submissions.js"></script>
{%- endblock head -%}

{%- block title -%}
提交管理
{%- endblock -%}

{%- block active_page %}assignments{% endblock -%}

{%- block breadcrumbs -%}
<ol class="breadcrumb">
  <li><a href="{{ base_url }}/formgrader/manage_assignments">作业</a></li>
  <li class="active">{{ assignment_id }}</li>
</ol>
{%- endblock -%}

{%- block messages -%}
<div class="panel-group" id="accordion" role="tablist" aria-multiselectable="true">
  <div class="panel panel-default">
    <div class="panel-heading" role="tab" id="headingOne">
      <h4 class="panel-title">
        <a class="collapsed" role="button" data-toggle="collapse" data-parent="#accordion" href="#collapseOne" aria-expanded="false" aria-controls="collapseOne">
          使用说明（点击展开）
        </a>
      </h4>
    </div>
    <div id="collapseOne" class="panel-collapse collapse" role="tabpanel" aria-labelledby="headingOne">
      <div class="panel-body">
        <p>
          点下方「自动评分」一栏的按钮，为一位学生的提交自动评分。全班一次评完请在终端中运行
          （课程的并行、沙箱评分）：
        </p>
        <pre>
cd "{{ course_dir }}"
crmlab autograde "{{ assignment_id }}"</pre>
      </div>
    </div>
  </div>
</div>
{%- endblock -%}

{%- block table_header -%}
<tr>
  <th>姓名</th>
  <th class="text-center">学号</th>
  <th class="text-center">提交时间</th>
  <th class="text-center">状态</th>
  <th class="text-center">得分</th>
  <th class="text-center no-sort">自动评分</th>
  <th class="text-center no-sort">生成反馈</th>
  <th class="text-center no-sort">发回反馈</th>
</tr>
{%- endblock -%}

{%- block table_body -%}
<tr>
  <td>正在加载，请稍候……</td>
  <td></td>
  <td></td>
  <td></td>
  <td></td>
  <td></td>
  <td></td>
  <td></td>
</tr>
{%- endblock -%}
