/* CRM Lab: the grading page's own script (nbgrader had it inline): show or hide the student's
 * name, and link "open the live notebook". */
function toggle_name(on) {
    $(".name-shown").tooltip("hide");
    $(".name-hidden").tooltip("hide");
    if (on) {
        $(".name-shown").show();
        $(".name-hidden").hide();
    } else {
        $(".name-hidden").show();
        $(".name-shown").hide();
    }
}

$(document).ready(function () {
    $("[data-link]").each(function () {
        $(this).map(linkTo("notebook", $(this).data("link"))).removeAttr("data-link");
    });
    $("span.glyphicon.name-hidden").tooltip({title: "显示学生姓名", placement: "bottom", trigger: "hover"});
    $("span.glyphicon.name-shown").tooltip({title: "隐藏学生姓名", placement: "bottom", trigger: "hover"});
});
