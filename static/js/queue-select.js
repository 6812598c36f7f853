// The queue's « select all on this page » box ticks or unticks every row's box (issue 20).
// Without JavaScript the box still works: the server then acts on every row of the page.
document.querySelectorAll("[data-select-all]").forEach(function (master) {
  var name = master.getAttribute("data-select-all");
  var form = master.form;
  master.addEventListener("change", function () {
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      if (box.form === form) {
        box.checked = master.checked;
      }
    });
  });
});
