// The body chooser (workspace/forms.py BodyChooser): typing in its search box hides the options, and the
// groups, that do not contain the words typed (a group's own label — the region and kind — counts too).
(function () {
  if (window.xinfangChooser) { return; }
  window.xinfangChooser = true;
  document.addEventListener("input", function (ev) {
    var box = ev.target;
    if (!box.matches || !box.matches("input[data-chooser]")) { return; }
    var select = document.getElementById(box.getAttribute("data-chooser"));
    if (!select) { return; }
    var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      var any = false;
      Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
        var text = (group.label + " " + option.textContent).toLowerCase();
        var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
        option.hidden = !hit;
        any = any || hit;
      });
      group.hidden = !any;
    });
  });
})();
