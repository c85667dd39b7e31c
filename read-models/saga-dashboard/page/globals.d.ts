// Stylesheets are imported for esbuild, which puts them into app.css.
declare module '*.css';
