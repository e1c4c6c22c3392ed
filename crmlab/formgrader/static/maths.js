/* CRM Lab: MathJax 2's configuration for Formgrader's grading page.
 *
 * MathJax.js (2.7, served by this Jupyter server through the jupyter_server_mathjax extension,
 * loaded right after this file) takes an object found in window.MathJax as its configuration.
 * nbconvert configures MathJax with an inline <script type="text/x-mathjax-config"> block,
 * which the page's Content-Security-Policy (script-src 'self') does not run, and which MathJax
 * would have to eval; a served file needs neither.
 *
 * Maths is what a student wrote, so it is data: the Safe extension (in the URL's config list)
 * keeps \href to http(s) links, drops \class and \cssId, filters \style and sizes, and lets
 * \require load only harmless extensions. Only the submission (#notebook) is typeset, never
 * the page around it; no menu, no zoom, no messages.
 */
window.MathJax = {
    elements: ["notebook"],
    tex2jax: {
        inlineMath: [["$", "$"], ["\\(", "\\)"]],
        displayMath: [["$$", "$$"], ["\\[", "\\]"]],
        processEscapes: true,
        processEnvironments: true
    },
    displayAlign: "center",
    messageStyle: "none",
    showMathMenu: false,
    showProcessingMessages: false,
    menuSettings: {zoom: "None"},
    "HTML-CSS": {
        // only the web font served beside MathJax.js (jupyter_server_mathjax ships STIX-Web)
        availableFonts: [],
        preferredFont: null,
        imageFont: null,
        webFont: "STIX-Web",
        linebreaks: {automatic: true},
        // MathJax's stand-in font for glyphs no web font has is url('about:blank'), a load the
        // policy's font-src refuses (and reports); a local() name that no system has fails to
        // load just the same, without a request.
        styles: {"@font-face": {"font-family": "MathJax_Blank", src: "local('MathJax_Blank')"}}
    },
    Safe: {
        allow: {URLs: "safe", classes: "none", cssIDs: "none", styles: "safe",
                fontsize: "safe", require: "safe"},
        safeProtocols: {http: true, https: true, file: false, javascript: false}
    }
};
