/* 支部体检 charts: reads the page's <script type="application/json" id="health-data"> and draws
   each <div data-chart="..."> with the vendored ECharts (no inline script: CSP script-src 'self'). */
(function () {
  "use strict";
  var source = document.getElementById("health-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var L = data.labels || {};

  function bar(names, values, extra) {
    var option = {
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, bottom: 72, top: 40 },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: [{ type: "bar", data: values }]
    };
    return Object.assign(option, extra || {});
  }

  var builders = {
    compliance: function () {
      var rows = data.compliance || [];
      return bar(rows.map(function (r) { return r.rule; }), rows.map(function (r) { return r.value; }), {
        title: { text: L.compliance, left: "center", textStyle: { fontSize: 14 } },
        yAxis: { type: "value", max: 100 }
      });
    },
    hours: function () {
      var rows = data.hours || [];
      var option = bar(rows.map(function (r) { return r.name; }), rows.map(function (r) { return r.value; }), {
        title: { text: L.hours, left: "center", textStyle: { fontSize: 14 } },
        yAxis: { type: "value", max: function (v) { return Math.ceil(Math.max(v.max, data.hours_target) * 1.1); } }
      });
      option.series[0].markLine = { symbol: "none", data: [{ yAxis: data.hours_target, name: L.target }],
                                    label: { formatter: L.target + " {c}" } };
      return option;
    },
    months: function () {
      var rows = data.months || [];
      return {
        title: { text: L.months, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 40, right: 16, bottom: 48, top: 40 },
        xAxis: { type: "category", data: data.month_names },
        yAxis: { type: "value", minInterval: 1 },
        series: rows.map(function (r) { return { name: r.name, type: "bar", stack: "m", data: r.values }; })
      };
    },
    grades: function () {
      var rows = data.grades || [];
      var names = data.grade_names || {};
      return {
        title: { text: L.grades, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        grid: { left: 40, right: 16, bottom: 72, top: 40 },
        xAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
                 axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: ["A", "B", "C", "D"].map(function (code) {
          return { name: names[code] || code, type: "bar", stack: "g", data: rows.map(function (r) { return r[code]; }) };
        })
      };
    },
    goal: function () {
      var rows = data.goal || [];
      var option = bar(rows.map(function (r) { return r.name; }), rows.map(function (r) { return r.value; }), {
        title: { text: L.goal, left: "center", textStyle: { fontSize: 14 } },
        yAxis: { type: "value", max: 100 }
      });
      option.series[0].markLine = { symbol: "none", data: [{ yAxis: data.goal_share, name: L.goal_line }],
                                    label: { formatter: L.goal_line + " {c}%" } };
      return option;
    }
  };

  var charts = [];
  Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (el) {
    var build = builders[el.getAttribute("data-chart")];
    if (!build) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build());
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
