// The savings form updates its result in place; without JavaScript the same GET form reloads the page.
(function () {
  var form = document.getElementById("savings-form");
  if (!form || !window.fetch) { return; }
  var pending = null;
  function update() {
    var query = new URLSearchParams(new FormData(form)).toString();
    var url = form.action + "?" + query;
    var focused = document.activeElement && document.activeElement.id;
    var result = document.getElementById("savings-result");
    if (result) { result.classList.add("updating"); result.setAttribute("aria-busy", "true"); }
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(url, { signal: pending.signal, headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("savings");
        var current = document.getElementById("savings");
        if (!fresh || !current) { return; }
        current.replaceWith(fresh);
        history.replaceState(null, "", url);
        openbookDrawCharts(fresh);
        form = document.getElementById("savings-form");
        form.addEventListener("change", update);
        form.addEventListener("submit", submit);
        if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
      })
      .catch(function (error) { if (error.name !== "AbortError") { form.submit(); } });
  }
  function submit(event) { event.preventDefault(); update(); }
  form.addEventListener("change", update);
  form.addEventListener("submit", submit);
})();
