/* Warmteburen – reorder a list by drag and drop, keyboard or buttons (progressive enhancement).
 *
 * Without JavaScript the ranking is a plain form: a number per item and up/down buttons that the
 * server handles. With it, the same controls move items in place, the numbers follow, and a live
 * region tells screen-reader users where the item is now. The form posts exactly the same fields.
 */
(function () {
  "use strict";

  function setup(list) {
    var form = list.closest("form");
    var announcer = document.getElementById("ranking-announcer");
    var help = document.getElementById("ranking-help");
    var template = list.getAttribute("data-announce-template") || "{label}: {place}/{count}";
    var orderField = form ? form.querySelector("input[name='rendered_order']") : null;

    if (help) { help.hidden = false; }
    list.classList.add("rank-list--enhanced");

    function items() { return Array.prototype.slice.call(list.querySelectorAll(":scope > li")); }

    function labelOf(item) {
      var label = item.querySelector(".rank-item__label");
      return label ? label.textContent.trim() : "";
    }

    function renumber() {
      var all = items();
      all.forEach(function (item, index) {
        var number = item.querySelector(".rank-item__number");
        var input = item.querySelector("input[type='number'], input[name^='position_']");
        if (number) { number.textContent = String(index + 1); }
        if (input) { input.value = String(index + 1); }
        var up = item.querySelector("button[value^='up:']");
        var down = item.querySelector("button[value^='down:']");
        if (up) { up.disabled = index === 0; }
        if (down) { down.disabled = index === all.length - 1; }
      });
      if (orderField) {
        orderField.value = all.map(function (item) { return item.getAttribute("data-key"); }).join(",");
      }
    }

    function announce(item) {
      if (!announcer) { return; }
      var all = items();
      announcer.textContent = template
        .replace("{label}", labelOf(item))
        .replace("{place}", String(all.indexOf(item) + 1))
        .replace("{count}", String(all.length));
    }

    function move(item, offset) {
      var all = items();
      var index = all.indexOf(item);
      var target = index + offset;
      if (target < 0 || target >= all.length) { return false; }
      if (offset < 0) {
        list.insertBefore(item, all[target]);
      } else {
        list.insertBefore(item, all[target].nextSibling);
      }
      renumber();
      announce(item);
      return true;
    }

    items().forEach(function (item) {
      var handle = item.querySelector(".rank-item__handle");
      if (handle) {
        handle.hidden = false;
        handle.addEventListener("keydown", function (event) {
          var offset = { ArrowUp: -1, ArrowDown: 1, Home: -items().length, End: items().length }[event.key];
          if (offset === undefined) { return; }
          event.preventDefault();
          if (Math.abs(offset) > 1) {
            var all = items();
            list.insertBefore(item, offset < 0 ? all[0] : null);
            renumber();
            announce(item);
          } else {
            move(item, offset);
          }
          handle.focus();
        });
        handle.addEventListener("pointerdown", function (event) { startDrag(event, item, handle); });
      }
      Array.prototype.forEach.call(item.querySelectorAll("button[name='move']"), function (button) {
        button.addEventListener("click", function (event) {
          event.preventDefault();
          var up = button.value.indexOf("up:") === 0;
          move(item, up ? -1 : 1);
          var same = item.querySelector("button[value^='" + (up ? "up:" : "down:") + "']");
          if (same && !same.disabled) { same.focus(); } else if (handle) { handle.focus(); }
        });
      });
      var input = item.querySelector("input[name^='position_']");
      if (input) { input.closest(".rank-item__position").classList.add("rank-item__position--enhanced"); }
    });

    // Moving the dragged item in the DOM ends pointer capture on its handle, so the pointer is
    // followed on the document instead, for the whole drag.
    function startDrag(event, item, handle) {
      if (event.button !== undefined && event.button !== 0) { return; }
      event.preventDefault();
      item.classList.add("rank-item--dragging");
      function onMove(moveEvent) {
        var all = items();
        var index = all.indexOf(item);
        var above = all[index - 1];
        var below = all[index + 1];
        if (above && moveEvent.clientY < above.getBoundingClientRect().top + above.offsetHeight / 2) {
          move(item, -1);
        } else if (below && moveEvent.clientY > below.getBoundingClientRect().top + below.offsetHeight / 2) {
          move(item, 1);
        }
      }
      function onUp() {
        item.classList.remove("rank-item--dragging");
        document.removeEventListener("pointermove", onMove);
        document.removeEventListener("pointerup", onUp);
        document.removeEventListener("pointercancel", onUp);
        announce(item);
        handle.focus();
      }
      document.addEventListener("pointermove", onMove);
      document.addEventListener("pointerup", onUp);
      document.addEventListener("pointercancel", onUp);
    }

    renumber();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-reorder]"), setup);
  });
}());
