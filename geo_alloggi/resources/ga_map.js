/* geo_alloggi map controls, written for geo_alloggi (MIT licence).
 * Small Leaflet helpers that no installed package ships: GeoJSON layers with
 * pre-escaped popups, clustered estate markers, legends bound to their layer,
 * full-screen toggle, search by estate or district name, time slider,
 * minimap and the SYNTHETIC banner. No network access of any kind.
 */
(function (root) {
  'use strict';
  var GA = root.GA = root.GA || {};
  GA.maps = GA.maps || [];
  GA.searchables = GA.searchables || [];

  var ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  GA.esc = function (s) {
    return String(s).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  };
  function norm(s) {
    return String(s).toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  }
  function el(tag, cls, parent) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  /* Popup from data [title, [[label, value], ...], note]: text only, never HTML. */
  GA.popupEl = function (spec) {
    var d = el('div', 'ga-popup');
    el('div', 'ga-popup-title', d).textContent = spec[0];
    var table = el('table', '', d);
    (spec[1] || []).forEach(function (r) {
      var tr = el('tr', '', table);
      el('td', '', tr).textContent = r[0];
      el('td', '', tr).textContent = r[1];
    });
    if (spec[2]) { el('div', 'ga-reason', d).textContent = spec[2]; }
    return d;
  };
  function bindPopup(layer, spec) {
    layer.bindPopup(function () { return GA.popupEl(spec); }, { maxWidth: 360 });
  }
  function textEl(s) {
    var e = el('span');
    e.textContent = s;
    return e;
  }

  /* Geometries shared by several layers, stored once: key -> [geometry, ...]. */
  GA.geoms = GA.geoms || {};
  GA.addGeoms = function (g) {
    for (var k in g) { if (Object.prototype.hasOwnProperty.call(g, k)) { GA.geoms[k] = g[k]; } }
  };
  function collection(data) {
    if (data.type === 'FeatureCollection') { return data; }
    var geoms = GA.geoms[data.g];
    return {
      type: 'FeatureCollection',
      features: data.f.map(function (p) {
        return { type: 'Feature', properties: p, geometry: geoms[p.gi] };
      })
    };
  }

  /* Map-wide setup: attribution text (plain text, escaped), prefix without links. */
  GA.setup = function (map, o) {
    if (GA.maps.indexOf(map) < 0) { GA.maps.push(map); }
    if (map.attributionControl) {
      map.attributionControl.setPrefix('Leaflet');
      if (o.attribution) { map.attributionControl.addAttribution(GA.esc(o.attribution)); }
    }
  };

  /* A layer's permanent labels are shown only from zoom zmin to zmax. */
  GA.labelZoom = function (map, layer, zmin, zmax) {
    var cls = layer.gaLabelClass;
    var style = el('style', '', document.head);
    style.textContent = '.ga-hide-' + cls + ' .' + cls + ' { display: none; }';
    var sync = function () {
      var c = map.getContainer();
      var z = map.getZoom();
      if (z >= zmin && z <= zmax) { L.DomUtil.removeClass(c, 'ga-hide-' + cls); }
      else { L.DomUtil.addClass(c, 'ga-hide-' + cls); }
    };
    map.on('zoomend', sync);
    map.whenReady(sync);
  };

  /* A GeoJSON layer: style index, pre-escaped popup (p) and tooltip (t) per feature. */
  GA.geojson = function (data, o) {
    var styles = o.styles || [{}];
    GA._lid = (GA._lid || 0) + 1;
    var labelClass = 'ga-label-' + GA._lid;
    var layer = L.geoJSON(collection(data), {
      interactive: o.interactive !== false,
      style: function (f) { return styles[f.properties.s || 0]; },
      pointToLayer: function (f, ll) { return L.circleMarker(ll, styles[f.properties.s || 0]); },
      onEachFeature: function (f, l) {
        var p = f.properties;
        if (p.p) { bindPopup(l, p.p); }
        if (o.labels && p.n !== undefined) {
          l.bindTooltip(GA.esc(p.n), {
            permanent: true, direction: 'center', className: 'ga-label ' + labelClass,
            interactive: false
          });
        } else if (p.t) {
          l.bindTooltip(function () { return textEl(p.t); }, { sticky: true });
        }
      }
    });
    layer.gaName = o.name;
    layer.gaLabelClass = labelClass;
    return layer;
  };

  /* Clustered estate markers; rows are [lat, lon, icon, name, values], the values
   * aligned with o.fields (null: not shown). */
  GA.cluster = function (rows, o) {
    var group = o.cluster === false ? L.featureGroup() : L.markerClusterGroup({
      showCoverageOnHover: false, maxClusterRadius: o.radius || 45,
      disableClusteringAtZoom: o.disableAt || 17, chunkedLoading: true
    });
    var icons = o.icons.map(function (ic) {
      return L.divIcon({
        className: 'ga-estate', iconSize: [ic.size, ic.size],
        html: '<span style="background:' + ic.color + '"></span>'
      });
    });
    var markers = rows.map(function (r) {
      var m = L.marker([r[0], r[1]], { icon: icons[r[2]], title: String(r[3]), keyboard: true });
      m.options.gaName = r[3];
      var rows = [];
      r[4].forEach(function (v, i) { if (v !== null) { rows.push([o.fields[i], v]); } });
      bindPopup(m, [r[3], rows, '']);
      return m;
    });
    group.addLayers(markers);
    group.gaName = o.name;
    return group;
  };

  /* Online street tiles, built but not added to the map: nothing is requested
   * until the user switches the layer on. Tiles load for the view only once
   * panning ends (no prefetch), up to o.maxZoom; the attribution (escaped text
   * and a link) is shown by Leaflet while the layer is on. */
  GA.streets = function (o) {
    var attribution = GA.esc(o.attribution || '');
    if (o.attributionUrl) {
      attribution = '<a href="' + GA.esc(o.attributionUrl) +
        '" target="_blank" rel="noopener noreferrer">' + attribution + '</a>';
    }
    var layer = L.tileLayer(o.url, {
      attribution: attribution, maxZoom: o.maxZoom, maxNativeZoom: o.maxZoom,
      updateWhenIdle: true, updateWhenZooming: false, keepBuffer: 1,
      referrerPolicy: 'strict-origin-when-cross-origin'
    });
    layer.gaName = o.name;
    return layer;
  };

  /* Numbered markers (priority ranks); rows are [lat, lon, label, name, popup data]. */
  GA.ranks = function (rows, o, areas) {
    var group = L.featureGroup();
    if (areas) {
      L.geoJSON(collection(areas), { style: o.areaStyle, interactive: false }).addTo(group);
    }
    rows.forEach(function (r) {
      var icon = L.divIcon({
        className: 'ga-rank', iconSize: [24, 24],
        html: '<span style="background:' + o.color + '">' + GA.esc(r[2]) + '</span>'
      });
      var m = L.marker([r[0], r[1]], { icon: icon, title: String(r[3]) });
      m.options.gaName = r[3];
      bindPopup(m, r[4]);
      group.addLayer(m);
    });
    group.gaName = o.name;
    return group;
  };

  function layerControl(position, cls, build) {
    var C = L.Control.extend({
      options: { position: position },
      onAdd: function () {
        var d = el('div', cls + ' leaflet-control');
        build(d);
        L.DomEvent.disableClickPropagation(d);
        L.DomEvent.disableScrollPropagation(d);
        return d;
      }
    });
    return new C();
  }

  /* Show a control only while its layer is on the map. */
  function bindToLayer(map, layer, ctl) {
    var sync = function () {
      if (map.hasLayer(layer)) { if (!ctl._map) { ctl.addTo(map); } }
      else if (ctl._map) { ctl.remove(); }
    };
    layer.on('add remove', function () { setTimeout(sync, 0); });
    sync();
  }

  /* A legend (pre-escaped HTML) shown while its layer is on the map. */
  GA.legend = function (map, layer, html) {
    var ctl = layerControl('bottomleft', 'ga-legend', function (d) { d.innerHTML = html; });
    bindToLayer(map, layer, ctl);
    return ctl;
  };

  /* Register a layer for the name search. */
  GA.searchable = function (map, layer, kind) {
    GA.searchables.push({ map: map, layer: layer, kind: kind });
  };

  function entries(map) {
    var out = [];
    GA.searchables.forEach(function (s) {
      if (s.map !== map) { return; }
      var add = function (l) {
        var n = l.feature ? l.feature.properties.n : l.options.gaName;
        if (n !== undefined && n !== null) {
          out.push({ name: String(n), key: norm(n), kind: s.kind, layer: l, group: s.layer });
        }
      };
      if (s.layer.getLayers) { s.layer.getLayers().forEach(add); }
    });
    return out;
  }

  function reveal(map, e) {
    if (!map.hasLayer(e.group)) { map.addLayer(e.group); }
    if (e.group.zoomToShowLayer) {
      e.group.zoomToShowLayer(e.layer, function () { e.layer.openPopup(); });
    } else if (e.layer.getBounds) {
      map.fitBounds(e.layer.getBounds(), { maxZoom: 15 });
      e.layer.openPopup();
    } else {
      map.setView(e.layer.getLatLng(), Math.max(map.getZoom(), 16));
      e.layer.openPopup();
    }
  }

  /* Search box: type part of an estate or district name, pick a result. */
  GA.search = function (map, o) {
    var index = null;
    var ctl = layerControl('topleft', 'ga-search', function (d) {
      var input = el('input', 'ga-search-input', d);
      input.type = 'search';
      input.placeholder = o.placeholder;
      input.setAttribute('aria-label', o.placeholder);
      var list = el('ul', 'ga-search-results', d);
      var current = [];
      var render = function () {
        var q = norm(input.value.trim());
        list.innerHTML = '';
        current = [];
        if (!q) { return; }
        if (index === null) { index = entries(map); }
        for (var i = 0; i < index.length && current.length < 12; i++) {
          if (index[i].key.indexOf(q) >= 0) { current.push(index[i]); }
        }
        if (!current.length) {
          el('li', 'ga-search-none', list).textContent = o.none;
          return;
        }
        current.forEach(function (e) {
          var li = el('li', 'ga-search-item', list);
          li.textContent = e.name;
          var k = el('span', 'ga-search-kind', li);
          k.textContent = ' · ' + (o.kinds[e.kind] || e.kind);
          L.DomEvent.on(li, 'click', function (ev) {
            // stop here: once the list is emptied the map could not tell the click
            // came from a control, and would close the popup just opened
            L.DomEvent.stop(ev);
            list.innerHTML = '';
            reveal(map, e);
          });
        });
      };
      L.DomEvent.on(input, 'input', render);
      L.DomEvent.on(input, 'keydown', function (ev) {
        if (ev.key === 'Enter' && current.length) { reveal(map, current[0]); list.innerHTML = ''; }
      });
    });
    ctl.addTo(map);
    return ctl;
  };

  /* Full-screen toggle (browser full screen when allowed, else fills the window). */
  GA.fullscreen = function (map, o) {
    var container = map.getContainer();
    var toggle = function () {
      var on = !L.DomUtil.hasClass(container, 'ga-fullscreen-on');
      if (on) {
        L.DomUtil.addClass(container, 'ga-fullscreen-on');
        if (container.requestFullscreen) {
          var pr = container.requestFullscreen();
          if (pr && pr.catch) { pr.catch(function () {}); }
        }
      } else {
        L.DomUtil.removeClass(container, 'ga-fullscreen-on');
        if (document.fullscreenElement && document.exitFullscreen) {
          var px = document.exitFullscreen();
          if (px && px.catch) { px.catch(function () {}); }
        }
      }
      setTimeout(function () { map.invalidateSize(); }, 50);
    };
    document.addEventListener('fullscreenchange', function () {
      if (!document.fullscreenElement && L.DomUtil.hasClass(container, 'ga-fullscreen-on')) {
        L.DomUtil.removeClass(container, 'ga-fullscreen-on');
        map.invalidateSize();
      }
    });
    var ctl = layerControl('topleft', 'ga-fullscreen leaflet-bar', function (d) {
      var a = el('a', 'ga-fullscreen-button', d);
      a.href = '#';
      a.title = o.title;
      a.setAttribute('role', 'button');
      a.setAttribute('aria-label', o.title);
      a.innerHTML = '<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">' +
        '<path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none" stroke="#333" ' +
        'stroke-width="2"/></svg>';
      L.DomEvent.on(a, 'click', function (ev) { L.DomEvent.preventDefault(ev); toggle(); });
    });
    ctl.addTo(map);
    return ctl;
  };

  /* Minimap: the outline of a layer and a rectangle showing the current view. */
  GA.minimap = function (map, source, o) {
    var ctl = layerControl('bottomright', 'ga-minimap', function () {});
    ctl.addTo(map);
    var mini = L.map(ctl.getContainer(), {
      attributionControl: false, zoomControl: false, dragging: false,
      scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false,
      keyboard: false, touchZoom: false, zoomSnap: 0
    });
    var base = L.geoJSON(source.toGeoJSON(), { style: o.style, interactive: false }).addTo(mini);
    mini.fitBounds(base.getBounds());
    var rect = L.rectangle(map.getBounds(), {
      color: '#b2182b', weight: 2, fill: false, interactive: false
    }).addTo(mini);
    map.on('moveend resize', function () { rect.setBounds(map.getBounds()); });
    mini.on('click', function (e) { map.panTo(e.latlng); });
    return mini;
  };

  /* Time slider: restyle a district layer period by period. */
  GA.timeslider = function (map, layer, o) {
    var timer = null;
    var input, label, button;
    var apply = function (i) {
      label.textContent = o.periods[i];
      layer.eachLayer(function (l) {
        var id = l.feature.properties.i;
        var cls = o.classes[id];
        var c = (cls && cls[i] !== null && cls[i] !== undefined) ? cls[i] : o.missing;
        l.setStyle(o.styles[c]);
        var tip = el('span');
        var txt = o.texts[id];
        tip.textContent = l.feature.properties.n + ' — ' + o.periods[i] + ': ' +
          (txt ? txt[i] : o.none);
        if (l.getTooltip()) { l.setTooltipContent(tip); } else { l.bindTooltip(tip, { sticky: true }); }
      });
    };
    var ctl = layerControl('bottomleft', 'ga-slider', function (d) {
      el('div', 'ga-slider-title', d).textContent = o.title;
      button = el('button', 'ga-slider-play', d);
      button.type = 'button';
      button.textContent = '\u25B6';
      button.title = o.play;
      input = el('input', 'ga-slider-input', d);
      input.type = 'range';
      input.min = 0;
      input.max = o.periods.length - 1;
      input.step = 1;
      input.value = o.periods.length - 1;
      input.setAttribute('aria-label', o.title);
      label = el('span', 'ga-slider-label', d);
      L.DomEvent.on(input, 'input change', function () { apply(parseInt(input.value, 10)); });
      setTimeout(function () { apply(parseInt(input.value, 10)); }, 0);
      L.DomEvent.on(button, 'click', function () {
        if (timer) {
          clearInterval(timer); timer = null; button.textContent = '\u25B6'; button.title = o.play;
          return;
        }
        button.textContent = '\u275A\u275A';
        button.title = o.pause;
        timer = setInterval(function () {
          var v = (parseInt(input.value, 10) + 1) % o.periods.length;
          input.value = v;
          apply(v);
        }, 1200);
      });
    });
    layer.on('add', function () { if (input) { apply(parseInt(input.value, 10)); } });
    bindToLayer(map, layer, ctl);
    return ctl;
  };

  /* Banner (plain text) over the map, e.g. SYNTHETIC. */
  GA.banner = function (map, text, cls) {
    var box = map.getContainer().querySelector('.ga-heads') ||
      el('div', 'ga-heads', map.getContainer());
    var d = el('div', cls || 'ga-banner', box);
    d.textContent = text;
    return d;
  };
}(window));
