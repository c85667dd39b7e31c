// The saga dashboard's page: bundled by src/page.ts (esbuild, in memory) into app.js and
// app.css, which /dashboard loads. Stylesheets imported here end up in app.css.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { App } from './app';

const root = document.getElementById('app');
if (root) render(<App />, root);
