// The map: every aircraft in the warehouse's flight_state now, redrawn every few seconds, emergency squawks standing
// out and listed, and the track of the one clicked, from flight_state_history. Coastlines and borders ship with the
// page (Natural Earth 1:110m); no tiles are fetched.
'use strict';

(function () {
  const REFRESH_MS = 3000;
  const d = window.dashboard;

  const map = L.map('map', { preferCanvas: true, worldCopyJump: true, minZoom: 1, maxZoom: 12 }).setView([30, 10], 2);
  map.attributionControl.setPrefix('Leaflet | Natural Earth');
  const renderer = L.canvas({ padding: 0.2 });
  const aircraftLayer = L.layerGroup().addTo(map);
  const trackLayer = L.layerGroup().addTo(map);
  const markers = new Map();
  let positions = [];
  let selected = null;

  // The countries have a pane of their own, under the aircraft's: drawn on a canvas of the aircraft's pane, the one
  // added last (the countries, when the aircraft came first) lay over the other and took every click on a marker.
  const countries = map.createPane('countries');
  countries.style.zIndex = 350;
  countries.style.pointerEvents = 'none';
  d.getJson('dashboard/vendor/world-atlas/countries-110m.json').then(world => {
    L.geoJSON(acrossTheAntimeridian(topojson.feature(world, world.objects.countries)), {
      pane: 'countries',
      interactive: false,
      style: { color: '#9fb3c8', weight: 0.6, fillColor: '#f7f5ef', fillOpacity: 1 }
    }).addTo(map);
  });

  /**
   * The countries as Leaflet can draw them. TopoJSON's rings are spherical: Russia's and Fiji's step from 180° to
   * -180°, which a flat map draws as a line across the world. Each such ring is unwrapped to run on past 180° (or
   * -180°), and its country is drawn a second time a world away, so that both edges of the map show it.
   */
  function acrossTheAntimeridian(countries) {
    const drawn = [];
    for (const country of countries.features) {
      const polygons = country.geometry.type === 'Polygon' ? [country.geometry.coordinates] : country.geometry.coordinates;
      let beyond = 0;
      const unwrapped = polygons.map(polygon => polygon.map(ring => {
        let offset = 0;
        let previous = null;
        return ring.map(([longitude, latitude]) => {
          let x = longitude + offset;
          if (previous !== null && x - previous > 180) {
            offset -= 360;
            x -= 360;
          } else if (previous !== null && x - previous < -180) {
            offset += 360;
            x += 360;
          }
          previous = x;
          if (x > 180) beyond = 1;
          if (x < -180) beyond = -1;
          return [x, latitude];
        });
      }));
      drawn.push({ type: 'Feature', properties: country.properties, geometry: { type: 'MultiPolygon', coordinates: unwrapped } });
      if (beyond !== 0) {
        drawn.push({ type: 'Feature', properties: country.properties, geometry: { type: 'MultiPolygon',
          coordinates: unwrapped.map(polygon => polygon.map(ring => ring.map(([x, y]) => [x - beyond * 360, y]))) } });
      }
    }
    return { type: 'FeatureCollection', features: drawn };
  }

  /** How an aircraft is drawn: emergencies red and large, the selected one orange, the rest by altitude. */
  function style(aircraft) {
    if (aircraft.icao24 === selected) {
      return { radius: aircraft.emergency ? 8 : 6, color: '#e65100', weight: 3,
        fillColor: aircraft.emergency ? '#ff1744' : '#ff9800', fillOpacity: 1 };
    }
    if (aircraft.emergency) {
      return { radius: 7, color: '#7f0000', weight: 2, fillColor: '#ff1744', fillOpacity: 1 };
    }
    if (aircraft.onGround) {
      return { radius: 2.5, color: '#52606d', weight: 1, fillColor: '#9aa5b1', fillOpacity: 0.9 };
    }
    const high = (aircraft.altitude || 0) > 6000;
    return { radius: 3, color: high ? '#0b3c7a' : '#1f6f43', weight: 1, fillColor: high ? '#2f80ed' : '#3ebd78', fillOpacity: 0.9 };
  }

  function draw() {
    aircraftLayer.clearLayers();
    markers.clear();
    // Emergencies and the selected one last, so that they are drawn on top and clicked first.
    const ordered = positions.filter(a => a.latitude != null && a.longitude != null)
      .sort((a, b) => rank(a) - rank(b));
    for (const aircraft of ordered) {
      const marker = L.circleMarker([aircraft.latitude, aircraft.longitude], Object.assign({ renderer }, style(aircraft)));
      marker.on('click', () => select(aircraft.icao24));
      marker.addTo(aircraftLayer);
      markers.set(aircraft.icao24, marker);
    }
    document.getElementById('map').dataset.markers = String(markers.size);
  }

  function rank(aircraft) {
    return aircraft.icao24 === selected ? 2 : aircraft.emergency ? 1 : 0;
  }

  function listEmergencies() {
    const emergencies = positions.filter(a => a.emergency).sort((a, b) => a.squawk.localeCompare(b.squawk));
    const list = document.getElementById('emergencies');
    list.replaceChildren(...(emergencies.length === 0 ? [d.el('li', { class: 'muted' }, 'None now')] : emergencies.map(a =>
      d.el('li', { 'data-icao24': a.icao24, title: 'Show on the map' },
        d.el('span', { class: 'squawk' }, a.squawk), ' ', a.emergency, ': ', a.callsign || 'no callsign',
        ' (', a.icao24, a.country ? ', ' + a.country : '', ')'))));
    for (const item of list.querySelectorAll('li[data-icao24]')) {
      item.addEventListener('click', () => {
        const aircraft = positions.find(a => a.icao24 === item.dataset.icao24);
        if (aircraft && aircraft.latitude != null) {
          map.setView([aircraft.latitude, aircraft.longitude], Math.max(map.getZoom(), 6));
        }
        select(item.dataset.icao24);
      });
    }
    const count = document.getElementById('emergency-count');
    count.textContent = String(emergencies.length);
    count.classList.toggle('alert', emergencies.length > 0);
  }

  async function refresh() {
    const problem = document.getElementById('map-problem');
    try {
      const now = await d.getJson('api/aircraft');
      positions = now.aircraft;
      problem.hidden = true;
      document.getElementById('warehouse').textContent = now.warehouse;
      document.getElementById('aircraft-count').textContent = d.number(now.count) + ' aircraft in the warehouse'
        + (now.count !== now.positioned ? ' (' + d.number(now.count - now.positioned) + ' without a position)' : '');
      document.getElementById('refreshed').textContent = 'read at ' + d.time(now.readAt);
      draw();
      listEmergencies();
      if (selected) {
        await showSelected();
      }
    } catch (e) {
      problem.textContent = 'Cannot read the warehouse: ' + e.message;
      problem.hidden = false;
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  async function select(icao24) {
    selected = icao24;
    draw();
    await showSelected();
  }

  /** The selected aircraft's details and track, as the warehouse holds them now. */
  async function showSelected() {
    const panel = document.getElementById('selected');
    const aircraft = positions.find(a => a.icao24 === selected);
    let track;
    try {
      track = await d.getJson('api/aircraft/' + encodeURIComponent(selected) + '/track');
    } catch (e) {
      panel.replaceChildren(d.el('p', { class: 'problem' }, 'Cannot read its history: ' + e.message));
      return;
    }
    if (track.icao24 !== selected) {
      return;
    }
    drawTrack(track.points);
    const rows = [
      ['icao24', selected],
      ['callsign', aircraft ? aircraft.callsign || '–' : '–'],
      ['country', aircraft ? aircraft.country || '–' : '–'],
      ['squawk', aircraft ? (aircraft.squawk || '–') + (aircraft.emergency ? ' (' + aircraft.emergency + ')' : '') : '–'],
      ['altitude', aircraft && aircraft.altitude != null ? d.number(aircraft.altitude) + ' m' : '–'],
      ['speed', aircraft && aircraft.velocity != null ? d.number(aircraft.velocity * 3.6) + ' km/h' : '–'],
      ['heading', aircraft && aircraft.track != null ? d.number(aircraft.track) + '°' : '–'],
      ['on the ground', aircraft ? (aircraft.onGround ? 'yes' : 'no') : '–']
    ];
    const first = track.points.length > 0 ? track.points[0].at : null;
    panel.dataset.icao24 = selected;
    panel.dataset.points = String(track.points.length);
    panel.replaceChildren(
      d.el('dl', null, ...rows.flatMap(([name, value]) => [d.el('dt', null, name), d.el('dd', null, value)])),
      d.el('p', { class: 'track-note' }, d.el('span', { id: 'track-points' }, String(track.points.length)),
        track.points.length === 1 ? ' position' : ' positions',
        first != null ? ' since ' + d.dateTime(first) : '',
        track.truncated ? ' (the newest only)' : '',
        ', from flight_state_history.'),
      aircraft ? '' : d.el('p', { class: 'muted' }, 'No longer in flight_state: deleted in the source.'));
  }

  /** The track as one line, its longitudes unwrapped so that crossing the antimeridian does not cross the map. */
  function drawTrack(points) {
    trackLayer.clearLayers();
    const line = [];
    let offset = 0;
    let previous = null;
    for (const p of points) {
      if (previous != null) {
        const jump = p.longitude + offset - previous;
        if (jump > 180) offset -= 360;
        if (jump < -180) offset += 360;
      }
      previous = p.longitude + offset;
      line.push([p.latitude, previous]);
    }
    if (line.length > 1) {
      L.polyline(line, { color: '#ff6f00', weight: 2.5, opacity: 0.9, interactive: false, renderer }).addTo(trackLayer);
    }
    for (const point of line) {
      L.circleMarker(point, { radius: 2, stroke: false, fillColor: '#e65100', fillOpacity: 1, interactive: false, renderer })
        .addTo(trackLayer);
    }
  }

  document.getElementById('find').addEventListener('submit', event => {
    event.preventDefault();
    const wanted = document.getElementById('find-input').value.trim().toLowerCase();
    const found = positions.find(a => a.icao24.toLowerCase() === wanted || (a.callsign || '').toLowerCase() === wanted);
    const message = document.getElementById('find-message');
    if (!found || found.latitude == null) {
      message.textContent = wanted === '' ? '' : 'No aircraft ' + wanted + ' with a position in the warehouse.';
      return;
    }
    message.textContent = '';
    map.setView([found.latitude, found.longitude], 7);
  });

  /** For a person at the browser's console, and the end-to-end test: where an aircraft is drawn now. */
  d.map = {
    markerCount: () => markers.size,
    pointOf: icao24 => {
      const marker = markers.get(icao24);
      return marker ? map.latLngToContainerPoint(marker.getLatLng()) : null;
    },
    selected: () => selected,
    zoom: () => map.getZoom(),
    zoomTo: (latitude, longitude, zoom) => map.setView([latitude, longitude], zoom)
  };

  refresh();
})();
