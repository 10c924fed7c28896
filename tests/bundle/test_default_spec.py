"""The packaged Java/Tomcat spec finds the problems people actually hit."""

from __future__ import annotations

from sitrep.bundle import CollectOptions, Limits, collect, load_spec

PROBLEMS = {
    "Java out of memory": "Exception in thread main java.lang.OutOfMemoryError: Java heap space",
    "Too many open files": "java.net.SocketException: Too many open files",
    "Database connection failures": (
        "org.springframework.jdbc.CannotGetJdbcConnectionException: Could not get JDBC Connection"
    ),
    "App or plugin failed to start": "Plugin 'com.acme.reports' failed to start: LinkageError",
}


def test_the_default_spec_reports_each_known_problem_from_tomcat_and_app_logs(tmp_path):
    catalina, app_home = tmp_path / "tomcat", tmp_path / "data"
    (catalina / "logs").mkdir(parents=True)
    (app_home / "log").mkdir(parents=True)
    (catalina / "logs" / "catalina.out").write_text(
        "INFO startup\n"
        + PROBLEMS["Java out of memory"]
        + "\n"
        + PROBLEMS["Too many open files"]
        + "\n"
    )
    (app_home / "log" / "atlassian-jira.log").write_text(
        PROBLEMS["Database connection failures"]
        + "\n"
        + PROBLEMS["App or plugin failed to start"]
        + "\n"
    )
    env = {
        "CATALINA_HOME": str(catalina),
        "APP_HOME": str(app_home),
        "APP_DB_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "PATH": "/usr/bin:/bin",
    }
    spec = load_spec("default", env=env)
    result = collect(spec, tmp_path / "out.zip", CollectOptions(env=env, limits=Limits()))
    outcomes = {f.name: f.outcome for f in result.findings}
    for name in PROBLEMS:
        assert outcomes[name] == "fail", name
    assert result.exit_code == 3
    assert {c["name"]: c["status"] for c in result.collectors}["database"] == "ok"
    names = {f["path"] for f in result.files}
    assert any(n.startswith("catalina-logs/") and n.endswith("catalina.out") for n in names)
    assert any(n.startswith("app-logs/") for n in names)


def test_the_default_spec_passes_on_clean_logs_and_survives_a_missing_java(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "catalina.out").write_text("INFO Server startup in [2042] milliseconds\n")
    env = {"CATALINA_HOME": str(tmp_path), "APP_HOME": str(tmp_path), "JAVA_CMD": "/nope/java"}
    result = collect(load_spec("default", env=env), tmp_path / "out.zip", CollectOptions(env=env))
    text_checks = {f.name: f.outcome for f in result.findings if f.name in PROBLEMS}
    assert text_checks == dict.fromkeys(PROBLEMS, "pass")
    statuses = {c["name"]: c["status"] for c in result.collectors}
    assert statuses["jvm"] == "failed" and statuses["database"] == "skipped"
    assert statuses["cpu"] == statuses["memory"] == statuses["disk-root"] == "ok"
