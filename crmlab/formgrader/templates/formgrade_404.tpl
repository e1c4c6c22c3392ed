{#- A submission whose notebook file is missing (nbgrader's template imported a macro file that
    does not exist). -#}
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8" />
<title>找不到提交的笔记本</title>
<link rel="stylesheet" href="{{ resources.base_url }}/formgrader/static/node_modules/bootstrap/dist/css/bootstrap.min.css" />
</head>
<body>
  <div class="container">
    <div class="panel panel-default">
      <div class="panel-heading">
        <h4 class="panel-title">
          <span>{{ resources.notebook_id }}</span>
          <span class="pull-right">第 {{ resources.index + 1 }} / {{ resources.total }} 份提交</span>
        </h4>
      </div>
      <div class="panel-body">
        找不到这份提交的笔记本文件：<code>{{ resources.filename }}</code>。请先对这份提交自动评分。
        <p><a href="{{ resources.base_url }}/formgrader/gradebook/{{ resources.assignment_id }}/{{ resources.notebook_id }}">返回提交列表</a></p>
      </div>
    </div>
  </div>
</body>
</html>
