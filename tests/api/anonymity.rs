//! k-anonymity at publication: a report whose industry, size and quarter
//! too few published reports share is published with as little withheld as
//! makes it blend in, and the reviewer is told before approving.

use serde_json::{json, Value};

use crate::helpers::*;

fn approve(app: &TestApp, token: &str, id: &str) -> Value {
    let r = app.approve(token, id);
    assert_eq!(r.status(), 200);
    r.json().unwrap()
}

fn published(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/reports/{id}"))
        .send()
        .unwrap()
        .json()
        .unwrap()
}

#[test]
fn small_cohorts_are_generalised_at_approval_and_the_reviewer_is_warned() {
    let app = spawn_app_with(Options {
        env: vec![("NEARMISS_STATS_K", "3".into())],
        ..Options::default()
    });
    let token = app.login();
    // fintech, 1001-5000, 2023-11 (the helper's submission).
    let ids: Vec<String> = (0..3).map(|_| app.submit_ok(&submission()).0).collect();

    // The first two stand out: nothing less than withholding both helps.
    for (n, id) in ids[..2].iter().enumerate() {
        let before = app.review(&token, id)["anonymity"].clone();
        assert_eq!(before["cohort_reports"], n as u64 + 1);
        assert_eq!(
            before["generalised"],
            json!(["organization_size", "incident.month"])
        );
        let warning = before["warning"].as_str().unwrap();
        assert!(
            warning.contains("k = 3") && warning.contains("stand out"),
            "{warning}"
        );
        let decision = approve(&app, &token, id);
        assert_eq!(decision["anonymity"], before);
        let report = published(&app, id);
        assert_eq!(report["organization_size"], "undisclosed");
        assert!(report["incident"]["month"].is_null());
        assert_eq!(report["incident"]["year"], "2023");
        // The time-of-day block alone says little; it stays.
        assert_eq!(report["incident"]["time_of_day"], "00-06");
    }

    // The third completes the cohort (the first two still belong to it):
    // published in full.
    let third = app.review(&token, &ids[2])["anonymity"].clone();
    assert_eq!(third["cohort_reports"], 3);
    assert_eq!(third["generalised"], json!([]));
    assert_eq!(third["warning"], Value::Null);
    approve(&app, &token, &ids[2]);
    let report = published(&app, &ids[2]);
    assert_eq!(report["incident"]["month"], "2023-11");
    assert_eq!(report["organization_size"], "1001-5000");

    // Statistics of the whole registry are cached until the index changes.
    crate::search::eventually("three are indexed", || {
        crate::search::search(&app, &[])["total"] == 3
    });
    let stats: Value = app.get("/api/v1/stats").send().unwrap().json().unwrap();
    assert_eq!(stats["total"], 3);

    // Another size in the same industry and quarter: withholding the size
    // alone is enough, so the month stays.
    let mut body = submission();
    body["organization_size"] = json!("51-200");
    let (id, _) = app.submit_ok(&body);
    let decision = approve(&app, &token, &id);
    assert_eq!(
        decision["anonymity"]["generalised"],
        json!(["organization_size"])
    );
    assert_eq!(decision["anonymity"]["published_cohort_reports"], 4);
    let report = published(&app, &id);
    assert_eq!(report["organization_size"], "undisclosed");
    assert_eq!(report["incident"]["month"], "2023-11");

    // Search and statistics see what was published: four reports of 2023,
    // two of them in 2023-Q4 by month.
    crate::search::eventually("all four are indexed", || {
        crate::search::search(&app, &[])["total"] == 4
    });
    let stats: Value = app.get("/api/v1/stats").send().unwrap().json().unwrap();
    let year = &stats["counts"]["year"];
    assert_eq!(
        year,
        &json!([{"value": "2023", "count": 4, "suppressed": false}])
    );
    assert_eq!(
        stats["trend"],
        json!([{"quarter": "2023-Q4", "count": null, "suppressed": true}])
    );
}

#[test]
fn a_withdrawn_report_no_longer_counts_towards_its_cohort() {
    let app = spawn_app_with(Options {
        env: vec![("NEARMISS_STATS_K", "3".into())],
        ..Options::default()
    });
    let token = app.login();
    let submitted: Vec<(String, String)> = (0..4).map(|_| app.submit_ok(&submission())).collect();
    for (id, _) in &submitted[..3] {
        approve(&app, &token, id);
    }
    // Three published, and the fourth itself.
    let fourth = &submitted[3].0;
    assert_eq!(app.review(&token, fourth)["anonymity"]["cohort_reports"], 4);

    // Two withdraw theirs: only one published report is left in the cohort.
    for (id, receipt) in &submitted[..2] {
        let r = app
            .delete(&format!("/api/v1/receipts/{id}"))
            .header("Authorization", format!("Receipt {receipt}"))
            .send()
            .unwrap();
        assert!(r.status().is_success(), "{}", r.status());
    }
    let after = app.review(&token, fourth)["anonymity"].clone();
    assert_eq!(after["cohort_reports"], 2, "{after}");
    assert_eq!(
        after["generalised"],
        json!(["organization_size", "incident.month"])
    );

    // Publishing the fourth makes two; a fifth would be the third.
    let decision = approve(&app, &token, fourth);
    assert_eq!(decision["anonymity"]["cohort_reports"], 2);
    let (fifth, _) = app.submit_ok(&submission());
    assert_eq!(app.review(&token, &fifth)["anonymity"]["cohort_reports"], 3);
}
