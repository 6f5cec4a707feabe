#!/usr/bin/env python3
"""Crash test: concurrent PUTs against the server, the server killed with SIGKILL mid-load and
restarted on the same database, several times; then every write that got a 2xx must be there.

    scripts/crash_test.py sqlite|postgres [--cycles 3] [--clients 16] [--seconds 4]

Each PUT writes a value no other PUT writes (dossiers_received_online = a unique number) to one
of 50 communes' reports, and the acknowledged revision is recorded. After the last restart, the
revision history of every report is read back: each acknowledged (report, revision) must hold
exactly the value that was acknowledged, and revisions must be gapless.
"""
import argparse, json, os, signal, subprocess, sys, threading, time, urllib.error, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "crash")
SECRET = "crash-secret-crash-secret-crash-secret"
PORT = 18195
MONTH = time.strftime("%Y-%m", time.gmtime(time.time() + 7 * 3600))
COMMUNES = [f"{40000 + i:05d}" for i in range(50)]


def target_dir():
    """Where cargo puts its builds (CARGO_TARGET_DIR, a configuration, or target/)."""
    out = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["target_directory"]


def binary():
    for kind in ("release", "debug"):
        path = os.path.join(target_dir(), kind, "cchc")
        if os.path.exists(path):
            return path
    sys.exit("build cchc first: cargo build --release -p cchc-api")


def database(backend):
    os.makedirs(WORK, exist_ok=True)
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(os.path.join(WORK, "crash.db" + suffix))
            except FileNotFoundError:
                pass
        return "sqlite://" + os.path.join(WORK, "crash.db")
    admin = os.environ.get("CCHC_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    for sql in ("DROP DATABASE IF EXISTS cchc_crash WITH (FORCE)", "CREATE DATABASE cchc_crash"):
        subprocess.run(["psql", admin, "-qc", sql], check=True)
    return admin.rsplit("/", 1)[0] + "/cchc_crash"


def env(url):
    return dict(os.environ, DATABASE_URL=url, CCHC_JWT_SECRET=SECRET, RUST_LOG="warn", CCHC_BIND=f"127.0.0.1:{PORT}")


def start(url, log):
    proc = subprocess.Popen([binary(), "serve"], env=env(url), stdout=log, stderr=log)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=1)
            return proc
        except Exception:
            time.sleep(0.05)
    proc.kill()
    sys.exit("the server did not start")


def body(n):
    # Identities hold: 0 carried + n online + 0 direct = n early + 0 + 0 resolved + 0 pending.
    return json.dumps({"values": {
        "dossiers_carried_over": 0, "dossiers_received_online": n, "dossiers_received_direct": 0,
        "dossiers_resolved_early": n, "dossiers_resolved_on_time": 0, "dossiers_resolved_overdue": 0,
        "dossiers_pending_within_deadline": 0, "dossiers_pending_overdue": 0}}).encode()


def request(method, path, token, data=None):
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, json.loads(r.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("backend", choices=["sqlite", "postgres"])
    ap.add_argument("--cycles", type=int, default=3)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=4.0)
    args = ap.parse_args()
    url = database(args.backend)
    subprocess.run([binary(), "generate", "--communes", "50", "--months", "1", "--end", "2026-10"],
                   env=env(url), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    token = subprocess.run([binary(), "token", "--sub", "crash-test", "--role", "admin"], env=env(url),
                           check=True, capture_output=True, text=True).stdout.strip()
    acknowledged = {}  # (commune, revision) -> value
    lock = threading.Lock()
    counter = [0]
    attempted = [0]
    failed = [0]
    http_errors = {}
    log = open(os.path.join(WORK, f"server-{args.backend}.log"), "ab")

    def client(stop, seed):
        i = 0
        while not stop.is_set():
            with lock:
                counter[0] += 1
                n = counter[0]
                attempted[0] += 1
            commune = COMMUNES[(seed * 7919 + i) % len(COMMUNES)]
            i += 1
            try:
                status, r = request("PUT", f"/api/v1/communes/{commune}/reports/{MONTH}", token, body(n))
                if 200 <= status < 300:
                    with lock:
                        key = (commune, r["revision"])
                        if key in acknowledged:
                            print(f"two acknowledged writes claim {key}", file=sys.stderr)
                            failed[0] += 1
                        acknowledged[key] = n
            except urllib.error.HTTPError as e:
                with lock:
                    failed[0] += 1
                    http_errors[e.code] = http_errors.get(e.code, 0) + 1
            except Exception:
                # The server is down (killed, or not yet restarted): no answer, no acknowledgement.
                with lock:
                    failed[0] += 1

    kills = 0
    for cycle in range(args.cycles):
        server = start(url, log)
        stop = threading.Event()
        threads = [threading.Thread(target=client, args=(stop, s)) for s in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        server.send_signal(signal.SIGKILL)  # mid-load: requests are in flight
        server.wait()
        kills += 1
        time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join()
    server = start(url, log)
    present, missing, wrong, gaps = 0, 0, 0, 0
    for commune in COMMUNES:
        revisions, cursor = [], None
        while True:
            q = f"/api/v1/communes/{commune}/reports/{MONTH}/revisions?limit=1000" + (f"&cursor={cursor}" if cursor else "")
            try:
                _, page = request("GET", q, token)
            except urllib.error.HTTPError as e:
                if e.code == 404:
                    break
                raise
            revisions += page["items"]
            cursor = page.get("next")
            if not cursor:
                break
        numbers = [r["revision"] for r in revisions]
        if numbers != list(range(1, len(numbers) + 1)):
            gaps += 1
        by_rev = {r["revision"]: r["values"]["dossiers_received_online"] for r in revisions}
        for (c, rev), n in acknowledged.items():
            if c != commune:
                continue
            if rev not in by_rev:
                missing += 1
            elif by_rev[rev] != n:
                wrong += 1
            else:
                present += 1
    server.send_signal(signal.SIGTERM)
    server.wait()
    result = {"backend": args.backend, "kills": kills, "attempted": attempted[0], "acknowledged": len(acknowledged),
              "not_acknowledged": failed[0], "http_errors": http_errors, "present": present, "missing": missing, "wrong_value": wrong,
              "reports_with_revision_gaps": gaps}
    print(json.dumps(result))
    ok = missing == 0 and wrong == 0 and gaps == 0 and len(acknowledged) > 0 and not any(c >= 500 for c in http_errors)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
