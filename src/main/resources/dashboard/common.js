// Shared by the dashboard's scripts: reading the pipeline's JSON, and building the page from data without ever
// handing data to the HTML parser (callsigns, reasons and query results are text, whatever they hold).
'use strict';

const dashboard = window.dashboard = {};

/** GETs a JSON endpoint; a response that is not OK rejects with the problem's message, as the server words it. */
dashboard.getJson = async function (url) {
  const response = await fetch(url, { cache: 'no-store' });
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    // Not JSON: a 404 of a file, a proxy's error page.
  }
  if (!response.ok) {
    const error = new Error(body && body.message ? body.message : response.status + ' ' + response.statusText);
    error.kind = body && body.kind ? body.kind : 'unavailable';
    throw error;
  }
  return body;
};

/** An element with text content and attributes; children appended as given. */
dashboard.el = function (tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value !== null && value !== undefined) {
      element.setAttribute(name, value);
    }
  }
  for (const child of children) {
    if (child === null || child === undefined) {
      continue;
    }
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
};

dashboard.time = function (epochMillis) {
  return epochMillis == null ? '' : new Date(epochMillis).toLocaleTimeString();
};

dashboard.dateTime = function (epochMillis) {
  return epochMillis == null ? '' : new Date(epochMillis).toLocaleString();
};

dashboard.number = function (value, digits) {
  return value == null ? '–' : Number(value).toLocaleString(undefined, { maximumFractionDigits: digits || 0 });
};
