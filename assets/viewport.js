// After a resize or a turn of a phone, tell the app the window's new width (the store shell-viewport, which
// dashapp/app.py fills on every page change), so that charts drawn for a width (the decision tree) redraw.
// Only a change of width counts: a phone's address bar hiding while scrolling changes the height alone.
(function () {
    let width = window.innerWidth;
    let timer = null;
    window.addEventListener("resize", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
            if (window.innerWidth === width || !window.dash_clientside || !window.dash_clientside.set_props) {
                return;
            }
            width = window.innerWidth;
            window.dash_clientside.set_props("shell-viewport", {data: {width: width}});
        }, 250);
    });
})();
