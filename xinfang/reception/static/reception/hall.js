// The hall's small behaviours, loaded as a static file (the CSP allows no inline handlers):
// print buttons, "add a person" on the visit form, selects that submit their form.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  var add = document.getElementById("add-person");
  if (add) {
    add.addEventListener("click", function () {
      var total = document.getElementById("id_p-TOTAL_FORMS");
      var html = document.getElementById("person-template").innerHTML.replace(/__prefix__/g, total.value);
      document.getElementById("people").insertAdjacentHTML("beforeend", html);
      total.value = parseInt(total.value, 10) + 1;
    });
  }
});
