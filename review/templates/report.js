// The packet's only script: clicking a state or an arrow shows what the pathway file says about
// it, and the zoom buttons size each diagram. Text goes in with textContent, never as HTML.
(function () {
  "use strict";
  var details = JSON.parse(document.getElementById("diagram-details").textContent);

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function show(panel, info) {
    panel.replaceChildren();
    panel.className = "details" + (info.urgency === "urgent" || info.urgency === "emergency" ? " " + info.urgency : "");
    panel.appendChild(element("h4", info.title));
    if (info.note) panel.appendChild(element("p", info.note, "note"));
    if (info.facts.length) {
      var list = element("dl");
      info.facts.forEach(function (fact) {
        list.appendChild(element("dt", fact[0]));
        list.appendChild(element("dd", fact[1]));
      });
      panel.appendChild(list);
    }
    if (info.text) panel.appendChild(element("p", info.text, "text"));
    if (info.citations.length) {
      panel.appendChild(element("b", "Sources"));
      var sources = element("ul", undefined, "citations");
      info.citations.forEach(function (ref) {
        var item = element("li");
        item.appendChild(element("b", ref.source + " "));
        item.appendChild(element("span", "[" + ref.status + "]", "status"));
        item.appendChild(element("div", ref.detail));
        sources.appendChild(item);
      });
      panel.appendChild(sources);
    }
  }

  document.querySelectorAll("svg.diagram").forEach(function (svg) {
    var panel = document.getElementById(svg.dataset.key + "-details");
    svg.querySelectorAll("g.node, g.edge").forEach(function (group) {
      var info = details[group.id];
      if (!info) return;
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "button");
      // Graphviz titles each group with its DOT name ("onset->initial_assessment"): words no reader
      // sees drawn, which an accessibility checker counts as the element's text. The tooltips are
      // the links' own titles.
      group.querySelectorAll(":scope > title").forEach(function (t) { t.remove(); });
      // The accessible name holds the words drawn (a state's box, an arrow's guard), so a reader who
      // sees them can say them to voice control (WCAG 2.5.3); an arrow's adds where it goes.
      var shown = Array.prototype.map.call(group.querySelectorAll("text"), function (t) {
        return t.textContent.trim();
      }).filter(Boolean).join(" ");
      var name = !shown ? info.title : info.kind === "transition" ? shown + " (" + info.title + ")" : shown;
      group.setAttribute("aria-label", name);
      function select() {
        svg.querySelectorAll("g.selected").forEach(function (g) { g.classList.remove("selected"); });
        group.classList.add("selected");
        show(panel, info);
      }
      group.addEventListener("click", select);
      group.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(); }
      });
    });
  });

  // Zoom: the natural size is the viewBox in points; "fit" fills the scroll box's width. A
  // diagram opens at its natural size (labels at their point size, readable), scrolled to the
  // part that matters: the first change or highlighted step of an overlay, else where care begins.
  document.querySelectorAll(".diagram-block").forEach(function (block) {
    var svg = block.querySelector("svg.diagram");
    var scroll = block.querySelector(".diagram-scroll");
    var natural = svg.viewBox.baseVal.width * 4 / 3;
    var scale = natural > scroll.clientWidth ? 1 : null;
    function apply() {
      var width = scale === null ? scroll.clientWidth : natural * scale;
      svg.style.width = Math.max(width, 200) + "px";
    }
    block.querySelectorAll("button[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var current = svg.getBoundingClientRect().width / natural;
        var zoom = button.dataset.zoom;
        scale = zoom === "fit" ? null : Math.min(4, Math.max(0.1, current * (zoom === "in" ? 1.25 : 0.8)));
        apply();
      });
    });
    window.addEventListener("resize", function () { if (scale === null) apply(); });
    apply();
    var focus = svg.querySelector("g.emphasis text") || svg.querySelector("g.emphasis") || svg.querySelector("g.node");
    if (focus && scale !== null) {
      var box = focus.getBoundingClientRect(), view = scroll.getBoundingClientRect();
      scroll.scrollLeft += box.left - view.left - (scroll.clientWidth - box.width) / 2;
      scroll.scrollTop += box.top - view.top - (scroll.clientHeight - box.height) / 3;
    }
  });
})();
