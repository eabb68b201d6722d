/* zhibu's page behaviour, loaded on every page (no inline script: the CSP allows only files).
   Score sheets: a running total of the five standards under the fifth, out of 100. */
(function () {
  "use strict";
  var script = document.currentScript;
  function runningTotal() {
    var inputs = [1, 2, 3, 4, 5].map(function (i) { return document.getElementById("s" + i); });
    if (inputs.some(function (el) { return !el || el.tagName !== "INPUT"; })) { return; }
    var line = document.createElement("p");
    line.id = "sheet-total";
    line.className = "help-block";
    var template = script.getAttribute("data-total-label");
    function update() {
      var sum = 0, bad = false;
      inputs.forEach(function (el) {
        var v = el.value.trim() === "" ? 0 : Number(el.value);
        if (isNaN(v) || v < 0 || v > 20) { bad = true; } else { sum += v; }
      });
      line.textContent = template.replace("{n}", bad ? "—" : (Math.round(sum * 10) / 10).toString());
      line.classList.toggle("text-danger", bad);
    }
    inputs[4].parentNode.appendChild(line);
    inputs.forEach(function (el) { el.addEventListener("input", update); });
    update();
  }
  document.addEventListener("DOMContentLoaded", runningTotal);
})();
