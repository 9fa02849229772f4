/* Warmteburen – what-if without reloading: the form works as a plain GET form; with JavaScript a change
 * of a checkbox fetches the same page and swaps in the new results (announced by the live region). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-what-if]");
    var results = document.getElementById("feasibility-results");
    if (!form || !results || !window.fetch) { return; }
    var pending = null;
    function refresh() {
      var query = new URLSearchParams(new FormData(form)).toString();
      var url = form.getAttribute("action") || window.location.pathname;
      url = url.split("?")[0] + "?" + query;
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(url, { credentials: "same-origin", signal: pending.signal })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("feasibility-results");
          if (fresh) {
            results.innerHTML = fresh.innerHTML;
            window.history.replaceState(null, "", url);
          }
        })
        .catch(function () { /* the submit button still works */ });
    }
    form.addEventListener("change", refresh);
  });
}());
