// Situation picture page: save the assessment without reloading the page.
// The form posts normally when this script is absent or fetch fails.
(function () {
  "use strict";
  function bind(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      fetch(form.action, {
        method: "POST",
        body: data,
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var section = form.closest("section");
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("section");
          section.replaceWith(fresh);
          var next = fresh.querySelector("form[data-picture-assessment]");
          if (next) { bind(next); }
        })
        .catch(function () { form.submit(); });
    });
  }
  document.querySelectorAll("form[data-picture-assessment]").forEach(bind);
})();
