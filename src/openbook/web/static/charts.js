// Draw every chart whose Vega-Lite spec the page carries; without JavaScript the tables remain.
function openbookDrawCharts(root) {
  root.querySelectorAll(".chart[data-spec]").forEach(function (element) {
    var spec = JSON.parse(element.getAttribute("data-spec"));
    vegaEmbed(element, spec, { actions: { export: true, source: false, compiled: false, editor: false }, renderer: "svg" })
      .catch(function (error) { element.textContent = "The chart could not be drawn: " + error; });
  });
}
openbookDrawCharts(document);
// A printed page carries every table, including those folded away on screen.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details:not([open])").forEach(function (d) { d.setAttribute("open", ""); d.dataset.printOpened = "1"; });
});
window.addEventListener("afterprint", function () {
  document.querySelectorAll("details[data-print-opened]").forEach(function (d) { d.removeAttribute("open"); delete d.dataset.printOpened; });
});
