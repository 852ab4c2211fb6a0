// A link to an anchor inside a closed section (reading.more, reading.closed_section; /methods#glossary)
// opens the sections around it and brings it into view. Dash draws a page after the address changes, so the
// target is looked for until it appears (at most a few seconds), on the first load and on every change of hash.
(function () {
    function openTarget() {
        const id = decodeURIComponent(window.location.hash.slice(1));
        if (!id) {
            return;
        }
        let tries = 0;
        const timer = setInterval(function () {
            const target = document.getElementById(id);
            if (!target && ++tries < 40) {
                return;
            }
            clearInterval(timer);
            if (!target) {
                return;
            }
            let closed = false;
            for (let node = target; node; node = node.parentElement) {
                if (node.tagName === "DETAILS" && !node.open) {
                    node.open = true;
                    closed = true;
                }
            }
            if (closed) {
                target.scrollIntoView({block: "start"});
            }
        }, 100);
    }
    window.addEventListener("hashchange", openTarget);
    window.addEventListener("popstate", openTarget);
    // dcc.Link changes the address with history.pushState, which fires no hashchange: Dash's own event instead.
    window.addEventListener("_dashprivate_pushstate", openTarget);
    window.addEventListener("load", openTarget);
})();
