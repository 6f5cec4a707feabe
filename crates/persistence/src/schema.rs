//! The tables, identical on both backends (checked by the migration tests).

diesel::table! {
    units (code) {
        code -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    unit_versions (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        level -> Text,
        parent_code -> Nullable<Text>,
        valid_from -> Nullable<Text>,
        valid_to -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    unit_merges (absorbed_code) {
        absorbed_code -> Text,
        successor_code -> Text,
        effective_from -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    indicators (code) {
        code -> Text,
        position -> Integer,
        label_vi -> Text,
        label_en -> Text,
        domain -> Text,
        kind -> Text,
        unit_aggregation -> Text,
        time_aggregation -> Text,
        source -> Nullable<Text>,
        required_on_submit -> Bool,
        superseded_from -> Nullable<Text>,
        superseded_by -> Text,
        labels_from -> Text,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        unit_code -> Text,
        period -> Text,
        status -> Text,
        revision -> Integer,
        values_json -> Text,
        narrative_json -> Text,
        findings_json -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        updated_by -> Text,
        review_note -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    report_revisions (report_id, revision) {
        report_id -> BigInt,
        revision -> Integer,
        status -> Text,
        action -> Text,
        values_json -> Text,
        narrative_json -> Text,
        findings_json -> Text,
        actor -> Text,
        actor_role -> Text,
        created_at -> Timestamp,
        reason -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        unit_code -> Nullable<Text>,
        disabled -> Bool,
        created_at -> Timestamp,
        token_generation -> Integer,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::joinable!(unit_versions -> units (code));
diesel::joinable!(report_revisions -> reports (report_id));

diesel::table! {
    scoring_schemes (id) {
        id -> BigInt,
        code -> Text,
        version -> Integer,
        owner_code -> Nullable<Text>,
        definition_json -> Text,
        valid_from -> Nullable<Text>,
        valid_to -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    report_scores (report_id, revision, scheme_id) {
        report_id -> BigInt,
        revision -> Integer,
        scheme_id -> BigInt,
        unit_code -> Text,
        period -> Text,
        total -> Double,
        band -> Nullable<Text>,
        card_json -> Text,
        computed_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        actor_role -> Text,
        actor_unit -> Nullable<Text>,
        action -> Text,
        target_type -> Text,
        target -> Text,
        province_code -> Nullable<Text>,
        details_json -> Text,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    login_attempts (key) {
        key -> Text,
        window_start -> Timestamp,
        failures -> Integer,
    }
}

diesel::table! {
    dossiers (code) {
        code -> Text,
        procedure_code -> Nullable<Text>,
        channel -> Integer,
        status -> Integer,
        unit_code -> Text,
        received_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        returned_at -> Nullable<Timestamp>,
        digitized -> Nullable<Bool>,
        paid_online -> Nullable<Bool>,
        supplements_json -> Text,
        latest_event_at -> Nullable<Timestamp>,
        content_hash -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    feed_events (id) {
        id -> BigInt,
        seq -> BigInt,
        kind -> Text,
        subject -> Text,
        province_code -> Nullable<Text>,
        payload_json -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Text,
        kind -> Text,
        name -> Text,
    }
}

diesel::joinable!(report_scores -> reports (report_id));
diesel::joinable!(report_scores -> scoring_schemes (scheme_id));

diesel::allow_tables_to_appear_in_same_query!(
    units,
    unit_versions,
    unit_merges,
    indicators,
    reports,
    report_revisions,
    users,
    settings,
    scoring_schemes,
    report_scores,
    audit_log,
    login_attempts,
    dossiers,
    feed_events,
    calendar_days,
);
