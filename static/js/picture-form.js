// The picture form: show only the period list of the chosen kind. Without this
// script every list shows and the chosen kind decides which one counts.
(function () {
  "use strict";
  document.querySelectorAll("form[data-picture-form]").forEach(function (form) {
    function show() {
      var checked = form.querySelector("input[name=kind]:checked");
      var kind = checked ? checked.value : "week";
      form.querySelectorAll("[data-picture-period-of]").forEach(function (box) {
        box.hidden = box.getAttribute("data-picture-period-of") !== kind;
      });
    }
    form.querySelectorAll("input[name=kind]").forEach(function (radio) {
      radio.addEventListener("change", show);
    });
    show();
  });
})();
