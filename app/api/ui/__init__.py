"""The static files of the /ui page (index.html, ui.css, ui.js): plain HTML, CSS and
JavaScript, no framework and no build step; app/api/routes/ui.py serves them."""
