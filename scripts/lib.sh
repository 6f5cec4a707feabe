# Shared by the scripts (source it).

# Where cargo puts its builds: CARGO_TARGET_DIR, a cargo configuration, or target/ (as cargo
# itself reports it, so that scripts run the binary they just built).
cargo_target_dir() {
    cargo metadata --format-version 1 --no-deps --locked \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}
