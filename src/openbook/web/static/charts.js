// Draw every chart whose Vega-Lite spec the page carries; without JavaScript the tables remain.
document.querySelectorAll(".chart[data-spec]").forEach(function (element) {
  var spec = JSON.parse(element.getAttribute("data-spec"));
  vegaEmbed(element, spec, { actions: { export: true, source: false, compiled: false, editor: false }, renderer: "svg" })
    .catch(function (error) { element.textContent = "The chart could not be drawn: " + error; });
});
