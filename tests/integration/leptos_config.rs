//! `Leptos.toml` (read by the binary at run time) must agree with the cargo-leptos build settings
//! in `Cargo.toml`, or the server would look for its wasm and CSS in the wrong place.

#[test]
fn runtime_and_build_settings_agree() {
    let cargo = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let runtime = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Leptos.toml")).unwrap();
    let build = leptos::config::get_config_from_str(&cargo).unwrap();
    let run = leptos::config::get_config_from_str(&runtime).unwrap();
    assert_eq!(build.output_name, run.output_name);
    assert_eq!(build.site_root, run.site_root);
    assert_eq!(build.site_pkg_dir, run.site_pkg_dir);
}
