/* CRM Lab: what nbgrader's Formgrader pages did with inline script, from a served file (the
 * pages' Content-Security-Policy allows no inline script and no onclick attributes).
 *
 * - The page's values (base_url, assignment_id, student_id, ...) come from the data-*
 *   attributes of <meta id="crmlab-page"> and become the globals nbgrader's scripts read.
 * - An element with data-crmlab-call="f" calls the global function f when clicked (with
 *   data-crmlab-arg="true"/"false" as its argument).
 * - nbgrader's grading page waits for MathJax 2's start-up signal. MathJax is served by this
 *   Jupyter server (jupyter_server_mathjax; maths.js configures it) and loaded before this
 *   file; where that extension is off, there is no MathJax and the signal is given at once
 *   (the maths then shows as the LaTeX the student typed).
 */
(function () {
    "use strict";
    var meta = document.getElementById("crmlab-page");
    if (meta) {
        Object.keys(meta.dataset).forEach(function (key) {
            var name = key.replace(/[A-Z]/g, function (c) { return "_" + c.toLowerCase(); });
            window[name] = meta.dataset[key];
        });
    }
    if (!window.MathJax || !window.MathJax.Hub) {
        window.MathJax = {Hub: {Startup: {signal: {Interest: function (callback) {
            setTimeout(function () { callback("End"); }, 0);
        }}}}};
    }
    document.addEventListener("click", function (event) {
        var element = event.target.closest && event.target.closest("[data-crmlab-call]");
        if (!element) { return; }
        var callee = window[element.getAttribute("data-crmlab-call")];
        if (typeof callee !== "function") { return; }
        event.preventDefault();
        var arg = element.getAttribute("data-crmlab-arg");
        if (arg === null) { callee(); } else { callee(arg === "true"); }
    });
}());
