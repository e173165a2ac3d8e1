"""Real ODK clients against the OpenRosa endpoints: JavaRosa (the engine inside ODK Collect,
tests/odk/java/FillForm.java compiled with javac against pyxform's ODK_Validate.jar; marker `java`)
and ODK Web Forms' @getodk/xforms-engine (tests/js/webforms.mjs in Node 20 with jsdom; marker
`node`), both driven by tests/odk/clients/harness.py, and a Collect-like OpenRosa client over
real HTTP (tests/helpers/collect.py).

    .venv/bin/pytest tests/odk/clients                  # SQLite
    DATABASE_URL=postgres://... .venv/bin/pytest tests/odk/clients
"""
