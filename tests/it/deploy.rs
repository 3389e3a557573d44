//! The deployment kit is checked, not just shipped: Kubernetes manifests parse and hold
//! what the runbook promises, the systemd unit is hardened, the container runs as
//! non-root, and the example configurations load.

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

fn repo(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn docs(path: &str) -> Vec<Yaml> {
    YamlLoader::load_from_str(&repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn kind<'a>(docs: &'a [Yaml], kind: &str) -> Vec<&'a Yaml> {
    docs.iter()
        .filter(|d| d["kind"].as_str() == Some(kind))
        .collect()
}

#[test]
fn kubernetes_manifests_parse_and_hold_what_the_runbook_promises() {
    let all = docs("deploy/k8s/phigate.yaml");
    let secrets = docs("deploy/k8s/secrets.example.yaml");
    let deployment = kind(&all, "Deployment");
    assert_eq!(deployment.len(), 1);
    let d = deployment[0];
    let replicas = d["spec"]["replicas"].as_i64().expect("replicas");
    assert!(replicas >= 2, "several replicas");
    let pod = &d["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"].as_bool(), Some(true));
    let c = &pod["containers"][0];
    assert_eq!(
        c["readinessProbe"]["httpGet"]["path"].as_str(),
        Some("/readyz")
    );
    assert_eq!(
        c["livenessProbe"]["httpGet"]["path"].as_str(),
        Some("/healthz")
    );
    assert_eq!(
        c["securityContext"]["readOnlyRootFilesystem"].as_bool(),
        Some(true)
    );
    assert_eq!(
        c["securityContext"]["allowPrivilegeEscalation"].as_bool(),
        Some(false)
    );
    // Every Secret the pod mounts is one the example defines.
    let defined: Vec<&str> = kind(&secrets, "Secret")
        .iter()
        .filter_map(|s| s["metadata"]["name"].as_str())
        .collect();
    let volumes = pod["volumes"].as_vec().expect("volumes");
    let mounted: Vec<&str> = volumes
        .iter()
        .filter_map(|v| v["secret"]["secretName"].as_str())
        .collect();
    assert!(mounted.contains(&"phigate-master-key") && mounted.contains(&"phigate-tls"));
    for m in &mounted {
        assert!(
            defined.contains(m),
            "secret {m} is not in secrets.example.yaml"
        );
    }
    let pdb = kind(&all, "PodDisruptionBudget");
    let min = pdb[0]["spec"]["minAvailable"]
        .as_i64()
        .expect("minAvailable");
    assert!(
        min >= 1 && min < replicas,
        "a PDB that still lets nodes drain"
    );
    assert_eq!(kind(&all, "Service").len(), 1);
    let np = kind(&all, "NetworkPolicy");
    assert_eq!(np.len(), 1);
    assert_eq!(
        np[0]["spec"]["policyTypes"].as_vec().map(Vec::len),
        Some(2),
        "ingress and egress"
    );
    // Every object is namespaced the same way and labelled for the selectors.
    for o in all.iter().chain(&secrets) {
        assert_eq!(
            o["metadata"]["namespace"].as_str(),
            Some("phigate"),
            "{:?}",
            o["kind"]
        );
    }
}

#[test]
fn the_systemd_unit_is_hardened() {
    let unit = repo("deploy/systemd/phigate.service");
    let has = |line: &str| unit.lines().any(|l| l.trim() == line);
    for line in [
        "User=phigate",
        // The gateway says READY=1 over $NOTIFY_SOCKET (operator::systemd_is_told_…).
        "Type=notify",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "AmbientCapabilities=CAP_NET_BIND_SERVICE",
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
        "ExecStart=/usr/local/bin/phigate serve --config /etc/phigate/phigate.toml",
        "ExecReload=/bin/kill -HUP $MAINPID",
    ] {
        assert!(has(line), "missing `{line}`");
    }
    // Every section header is one systemd knows.
    for l in unit.lines().filter(|l| l.starts_with('[')) {
        assert!(
            ["[Unit]", "[Service]", "[Install]"].contains(&l.trim()),
            "{l}"
        );
    }
}

#[test]
fn the_container_is_multi_stage_and_runs_as_non_root() {
    let file = repo("deploy/Containerfile");
    let froms = file.lines().filter(|l| l.starts_with("FROM ")).count();
    assert!(froms >= 2, "multi-stage");
    let user = file
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("a USER line");
    assert!(
        !user.starts_with('0') && !user.starts_with("root"),
        "non-root: {user}"
    );
    assert!(file.contains("cargo build --release --locked"));
}

#[test]
fn example_configurations_load_once_their_placeholder_secrets_are_replaced() {
    let real = phigate::gateway::auth::hash_api_key("a-real-key-from-the-vendor");
    for path in [
        "deploy/phigate.example.toml",
        "deploy/configs/single-clinic.toml",
        "deploy/configs/replicas.toml",
    ] {
        let text = repo(path);
        // As shipped, every problem is a placeholder (so nobody runs the example keys).
        let e = phigate::config::Config::parse(path, &text).expect_err("placeholders are refused");
        for line in e.to_string().lines() {
            assert!(line.contains("placeholder"), "{path}: {line}");
        }
        let text = text
            .replace(&"0".repeat(64), &real)
            .replace(&"1".repeat(64), &real);
        phigate::config::Config::parse(path, &text).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}

#[test]
fn the_container_build_context_leaves_out_builds_data_and_keys() {
    let ignore = repo(".dockerignore");
    for line in ["target/", "phigate-data/", "*.key"] {
        assert!(ignore.lines().any(|l| l.trim() == line), "missing `{line}`");
    }
}
