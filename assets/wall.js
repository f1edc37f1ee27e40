/* CCHC Pulse — the wall's client-side callbacks (namespace cchcWall): the clock, the rotation of views, the
   screen scale the server draws figures at, and a click on the map opening a unit's page (outside kiosk).
   Nothing here asks the server for anything; the one data poll is a server callback. */
(function () {
  "use strict";
  var noUpdate = function () {
    return window.dash_clientside.no_update;
  };
  var pad = function (value) {
    return String(value).padStart(2, "0");
  };
  // The server's clock at its last answer, and the browser's clock at that moment.
  var base = { server: null, client: 0 };

  function clock(_n, times, texts) {
    if (!times || !texts) {
      return [noUpdate(), noUpdate(), noUpdate()];
    }
    if (base.server !== times.now) {
      base.server = times.now;
      base.client = Date.now();
    }
    var now = times.now + (Date.now() - base.client);
    var local = new Date(now + times.offset * 60000); // read with getUTC*: the city's wall time
    var time = pad(local.getUTCHours()) + ":" + pad(local.getUTCMinutes()) + ":" + pad(local.getUTCSeconds());
    var date = pad(local.getUTCDate()) + "/" + pad(local.getUTCMonth() + 1) + "/" + local.getUTCFullYear();
    var updated = texts.never;
    if (times.changed !== null && times.changed !== undefined) {
      var seconds = Math.max(0, Math.floor((now - times.changed) / 1000));
      if (seconds < 120) {
        updated = texts.seconds.replace("{n}", seconds);
      } else if (seconds < 7200) {
        updated = texts.minutes.replace("{n}", Math.floor(seconds / 60));
      } else {
        updated = texts.hours.replace("{n}", Math.floor(seconds / 3600));
      }
    }
    return [time, date, updated];
  }

  function rotate(n, classNames) {
    var count = (classNames || []).length;
    if (count < 2) {
      return classNames || [];
    }
    var active = (n || 0) % count;
    return classNames.map(function (_c, i) {
      return i === active ? "wall-view is-active" : "wall-view";
    });
  }

  // The screen's scale: its height over 1080 px, 0.5–4, to 2 decimals (callbacks/wall.py screen_scale: the same).
  function screenScale() {
    return Math.min(Math.max(Math.round((window.innerHeight / 1080) * 100) / 100, 0.5), 4);
  }

  function scale(_n, current) {
    var next = screenScale();
    return next === current ? noUpdate() : next;
  }

  // Before the page is asked for: the wall's address says its screen's scale, so the server draws it once, at
  // that size (not at 1, then again when the first tick reports the scale).
  if (window.location.pathname === "/wall") {
    var params = new URLSearchParams(window.location.search);
    if (!params.has("scale")) {
      params.set("scale", String(screenScale()));
      var address = window.location.pathname + "?" + params.toString() + window.location.hash;
      window.history.replaceState(window.history.state, "", address);
    }
  }

  function openUnit(clicks, search, texts) {
    var points = (clicks || []).filter(function (c) {
      return c && c.points && c.points.length && c.points[0].customdata;
    });
    if (!points.length) {
      return [noUpdate(), noUpdate()];
    }
    var key = points[0].points[0].customdata;
    var lang = new URLSearchParams(search || "").get("lang");
    return [(texts && texts.unit_path) + encodeURIComponent(key), lang ? "?lang=" + lang : ""];
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    cchcWall: { clock: clock, rotate: rotate, scale: scale, openUnit: openUnit },
  });
})();
