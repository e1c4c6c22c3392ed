<!doctype html>
{#- The course's Formgrader page frame (nbgrader's base.tpl, in Chinese, without inline script:
    the page's values are data-* attributes of <meta id="crmlab-page">, read by page.js). -#}
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>{% block page_title %}Formgrader 评分{% endblock %}</title>
  <meta id="crmlab-page" data-base-url="{{ base_url }}" {% block page_data %}{% endblock %}>
  <script src="{{ base_url }}/crmlab-formgrader/page.js"></script>
  <script src="{{ base_url }}/formgrader/static/node_modules/jquery/dist/jquery.min.js"></script>
  <script src="{{ base_url }}/formgrader/static/node_modules/underscore/underscore-min.js"></script>
  <script src="{{ base_url }}/formgrader/static/node_modules/backbone/backbone-min.js"></script>
  <script src="{{ base_url }}/formgrader/static/node_modules/bootstrap/dist/js/bootstrap.min.js"></script>
  <script src="{{ base_url }}/formgrader/static/node_modules/datatables.net/js/jquery.dataTables.js"></script>
  <script src="{{ base_url }}/formgrader/static/node_modules/datatables.net-bs/js/dataTables.bootstrap.js"></script>
  <script src="{{ base_url }}/formgrader/static/js/backbone_xsrf.js"></script>
  <script src="{{ base_url }}/formgrader/static/js/utils.js"></script>
  <script src="{{ base_url }}/crmlab-formgrader/zh.js" defer></script>

  <link rel="stylesheet" href="{{ base_url }}/formgrader/static/node_modules/bootstrap/dist/css/bootstrap.min.css" />
  <link rel="stylesheet" href="{{ base_url }}/formgrader/static/node_modules/datatables.net-bs/css/dataTables.bootstrap.css">
  <link rel="stylesheet" href="{{ base_url }}/formgrader/static/css/nbgrader.css">

  {%- block head -%}
  {%- endblock -%}
</head>

<body>
  <div class="container-fluid">
    <div class="row">
      <div class="col-md-2">
        <div class="page-header">
          <h1>nbgrader</h1>
        </div>
      </div>
      <div class="col-md-10">
        <div class="page-header">
          <h1>
          {%- block title -%}
          {%- endblock -%}
          </h1>
        </div>
      </div>
    </div>
    <div class="row">
      <div class="col-md-2">
        <ul class="nav nav-pills nav-stacked">
          {%- set active = self.active_page() -%}
          <li role="presentation"{% if active == 'assignments' %} class="active"{% endif %}><a href="{{ base_url }}/formgrader/manage_assignments">作业管理</a></li>
          <li role="presentation"{% if active == 'grading' %} class="active"{% endif %}><a href="{{ base_url }}/formgrader/gradebook">人工评阅</a></li>
          <li role="presentation"{% if active == 'students' %} class="active"{% endif %}><a href="{{ base_url }}/formgrader/manage_students">学生名单</a></li>
        </ul>
      </div>
      <div class="col-md-10">
        {%- block body -%}
        {%- block breadcrumbs -%}
        {%- endblock -%}
        {%- block messages -%}
        {%- endblock -%}
        <table class="table table-hover">
          <thead>
            {%- block table_header -%}
            {%- endblock -%}
          </thead>
          <tbody id="main-table">
            {%- block table_body -%}
            {%- endblock -%}
          </tbody>
          <tfoot>
            {%- block table_footer -%}
            {%- endblock -%}
          </tfoot>
        </table>
        {%- endblock -%}
      </div>
    </div>
  </div>
  {%- block script -%}
  {%- endblock -%}
</body>
</html>
{#- which item of the left column is lit: 'assignments', 'grading' or 'students' -#}
{%- if false %}{% block active_page %}{% endblock %}{% endif -%}
