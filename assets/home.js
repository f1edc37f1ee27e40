/* The home page: open a unit's tile when it is chosen in the search or clicked on the map. The search's options are
   the tiles the viewer may open, by address; a map click opens one of those only. */
(function () {
  function noUpdate() {
    return window.dash_clientside.no_update;
  }

  function go(href) {
    var at = href.indexOf("?");
    return at < 0 ? [href, ""] : [href.slice(0, at), href.slice(at)];
  }

  function openUnit(chosen, click, options) {
    var context = window.dash_clientside.callback_context;
    var triggered = (context && context.triggered) || [];
    var fromMap = triggered.some(function (t) {
      return t.prop_id.indexOf("clickData") >= 0;
    });
    if (!fromMap) {
      return chosen ? go(chosen) : [noUpdate(), noUpdate()];
    }
    var point = click && click.points && click.points[0];
    var key = point && point.customdata;
    if (!key || typeof key !== "string") {
      return [noUpdate(), noUpdate()];
    }
    var tail = "/" + encodeURIComponent(key);
    var found = (options || []).filter(function (option) {
      var path = String(option.value).split("?")[0];
      return path.slice(-tail.length) === tail;
    })[0];
    return found ? go(found.value) : [noUpdate(), noUpdate()];
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    cchcHome: { openUnit: openUnit },
  });
})();
