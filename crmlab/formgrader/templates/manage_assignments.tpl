{%- extends 'base.tpl' -%}

{%- block page_data %}data-url-prefix="{{ url_prefix }}" data-default-timezone="{{ default_timezone }}"{% endblock -%}

{%- block head -%}
<script src="{{ base_url }}/formgrader/static/js/manage_assignments.js"></script>
{%- endblock -%}

{%- block title -%}
作业管理
{%- endblock -%}

{%- block active_page %}assignments{% endblock -%}

{%- block breadcrumbs -%}
<ol class="breadcrumb">
  <li class="active">作业</li>
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
        <ol>
          <li><b>新建</b>作业：点下方的「新建作业……」。</li>
          <li><b>编辑作业文件</b>：点作业编号。</li>
          <li><b>修改截止时间等信息</b>：点「编辑」一栏的按钮。</li>
          <li><b>生成</b>学生版：点「生成」一栏的按钮。</li>
          <li><b>预览</b>学生版：点「预览」一栏的按钮。</li>
          <li><b>发布</b>给学生：点「发布」一栏的按钮；再点一次（✖）可以撤回，但可能已有学生领取。
          只有在 <code>nbgrader_config.py</code> 中设置了 <code>course_id</code> 时才能发布。</li>
          <li><b>收取</b>学生的提交：点「收取」一栏的按钮。</li>
          <li><b>自动评分</b>：点「提交数」一栏的数字，在提交列表中逐份评分。人工评阅之前必须先自动评分。</li>
        </ol>
      </div>
    </div>
  </div>
</div>
{% if current_config %}
<div class="panel-group" id="config" role="tablist" aria-multiselectable="true">
  <div class="panel panel-default">
    <div class="panel-heading" role="tab" id="headingConfig">
      <h4 class="panel-title">
        <a class="collapsed" role="button" data-toggle="collapse" data-parent="#accordion" href="#collapseConfig" aria-expanded="false" aria-controls="collapseConfig">
          当前配置（点击展开）
        </a>
      </h4>
    </div>
    <div id="collapseConfig" class="panel-collapse collapse" role="tabpanel" aria-labelledby="headingConfig">
      <pre class="panel-body">{{ current_config }}</pre>
    </div>
  </div>
</div>
{% endif %}
{% if windows %}
<div class="alert alert-warning" id="warning-windows">
这是 Windows 系统：「发布」和「收取」不能使用。
</div>
{% elif exchange_missing %}
<div class="alert alert-warning" id="warning-exchange">
交换目录 <code>{{ exchange }}</code> 不存在，也无法创建：「发布」和「收取」不能使用。
请按教师指南设置交换目录（nbgrader 的 <code>Exchange.root</code>）。
</div>
{% elif not course_id %}
<div class="alert alert-warning" id="warning-course-id">
<code>nbgrader_config.py</code> 中没有设置课程编号（<code>course_id</code>）：「发布」和「收取」不能使用。
</div>
{% endif %}
{%- endblock -%}

{%- block table_header -%}
<tr>
  <th>作业编号</th>
  <th class="text-center">截止时间</th>
  <th class="text-center">状态</th>
  <th class="text-center no-sort">编辑</th>
  <th class="text-center no-sort">生成</th>
  <th class="text-center no-sort">预览</th>
  <th class="text-center no-sort">发布</th>
  <th class="text-center no-sort">收取</th>
  <th class="text-center">提交数</th>
  <th class="text-center no-sort">生成反馈</th>
  <th class="text-center no-sort">发回反馈</th>
</tr>
{%- endblock -%}

{%- block table_body -%}
<tr><td colspan="11">正在加载，请稍候……</td></tr>
{%- endblock -%}

{%- block table_footer -%}
<tr>
  <td colspan="11">
    <span class="glyphicon glyphicon-plus" aria-hidden="true"></span>
    <a href="#" data-crmlab-call="createAssignmentModal">新建作业……</a>
  </td>
</tr>
{%- endblock -%}
