// Say so when a file is over an upload's limit. Dash's Upload keeps such a file in the browser (its max_size, which
// pages/score.py sets to what the server accepts) without a word; this writes the message the server would give
// into the element named by the wrapper's data-message, and clears it when a file within the limit is chosen.
(function () {
    const MIB = 1024 * 1024;

    function check(event) {
        const zone = event.target && event.target.closest ? event.target.closest("[data-max-bytes]") : null;
        if (!zone || !window.dash_clientside || !window.dash_clientside.set_props) {
            return;
        }
        const files = Array.from((event.dataTransfer && event.dataTransfer.files) || event.target.files || []);
        if (!files.length) {
            return;
        }
        const limit = Number(zone.dataset.maxBytes);
        const large = files.find(function (file) { return file.size > limit; });
        const text = large ? "'" + large.name + "' is " + (large.size / MIB).toFixed(1) + " MB; the limit is " +
            (limit / MIB).toFixed(0) + " MB. Score larger files with scripts/score.py, or split the file" : null;
        window.dash_clientside.set_props(zone.dataset.message, {
            children: text, className: large ? "alert alert-warning small upload-too-large" : ""});
    }

    document.addEventListener("change", check, true);
    document.addEventListener("drop", check, true);
})();
