-- The days on which public offices do not follow the Monday–Friday week: days off that fall on
-- a weekday (holidays, days in lieu of a holiday on a weekend, days swapped off) and weekend
-- days worked in exchange for a swap. Due dates on a day off move to the next working day;
-- supplement pauses count working days. An admin adds or removes days (`cchc holidays add`,
-- PUT/DELETE /api/v1/holidays/{date}). Dates are 'YYYY-MM-DD'.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('day_off', 'working_day')),
    name TEXT NOT NULL
);

-- 2023–2026 as published for cán bộ, công chức, viên chức. The holidays are those of Bộ luật
-- Lao động 2019, Art. 112 (Tết Dương lịch 1/1; Tết Âm lịch 5 days; Giỗ Tổ Hùng Vương 10/3 âm
-- lịch; 30/4; 1/5; Quốc khánh 2/9 and one adjacent day), with a day in lieu for one falling on a
-- weekend (Art. 111). Weekend days inside a break are not listed: they are days off anyway.
-- The years follow these decisions:
--   2023: VPCP 8056/VPCP-KGVX (1/12/2022): Tết 20/1–26/1, Quốc khánh 1/9–4/9 (4/9 in lieu of
--         2/9, a Saturday); 2/1 in lieu of 1/1 (a Sunday); Giỗ Tổ (Saturday 29/4) and 30/4
--         (Sunday) in lieu on 2/5 and 3/5.
--   2024: Thông báo 6150/TB-LĐTBXH (2023) on the Prime Minister's decision: Tết 8/2–14/2,
--         Quốc khánh 2/9–3/9; VPCP 2450/VPCP-KGVX (12/4/2024): 29/4 swapped off, worked on
--         Saturday 4/5.
--   2025: VPCP 8726/VPCP-KGVX (26/11/2024) and Thông báo 6150/TB-BLĐTBXH (2024): Tết 27/1–31/1
--         (25/1–2/2 with the weekends), 2/5 swapped off and worked on Saturday 26/4, Quốc
--         khánh 1/9–2/9 (30/8–2/9 with the weekend).
--   2026: VPCP 12729/VPCP-KGVX (25/12/2025): 2/1 swapped off, worked on Saturday 10/1; the
--         Ministry of Home Affairs' Tết and Quốc khánh schedule (October 2025): Tết 16/2–20/2
--         (14/2–22/2 with the weekends); Giỗ Tổ on Sunday 26/4, in lieu on 27/4; Quốc khánh
--         2/9 with 1/9. A swap around Quốc khánh 2026 was proposed; until its decision is
--         published an admin adds it (`cchc holidays add`).
INSERT INTO calendar_days (day, kind, name) VALUES
    ('2023-01-02', 'day_off', 'Nghỉ bù Tết Dương lịch (1/1 là Chủ nhật)'),
    ('2023-01-20', 'day_off', 'Tết Nguyên đán (trước mùng 1)'),
    ('2023-01-23', 'day_off', 'Tết Nguyên đán (mùng 2)'),
    ('2023-01-24', 'day_off', 'Tết Nguyên đán (mùng 3)'),
    ('2023-01-25', 'day_off', 'Tết Nguyên đán (mùng 4)'),
    ('2023-01-26', 'day_off', 'Tết Nguyên đán (mùng 5)'),
    ('2023-05-01', 'day_off', 'Ngày Quốc tế Lao động'),
    ('2023-05-02', 'day_off', 'Nghỉ bù Giỗ Tổ Hùng Vương (29/4 là thứ Bảy)'),
    ('2023-05-03', 'day_off', 'Nghỉ bù Ngày Chiến thắng (30/4 là Chủ nhật)'),
    ('2023-09-01', 'day_off', 'Quốc khánh (ngày liền kề)'),
    ('2023-09-04', 'day_off', 'Nghỉ bù Quốc khánh (2/9 là thứ Bảy)'),
    ('2024-01-01', 'day_off', 'Tết Dương lịch'),
    ('2024-02-08', 'day_off', 'Tết Nguyên đán (trước mùng 1)'),
    ('2024-02-09', 'day_off', 'Tết Nguyên đán (trước mùng 1)'),
    ('2024-02-12', 'day_off', 'Tết Nguyên đán (mùng 3)'),
    ('2024-02-13', 'day_off', 'Tết Nguyên đán (mùng 4)'),
    ('2024-02-14', 'day_off', 'Tết Nguyên đán (mùng 5)'),
    ('2024-04-18', 'day_off', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)'),
    ('2024-04-29', 'day_off', 'Nghỉ hoán đổi (làm bù thứ Bảy 4/5)'),
    ('2024-04-30', 'day_off', 'Ngày Chiến thắng'),
    ('2024-05-01', 'day_off', 'Ngày Quốc tế Lao động'),
    ('2024-05-04', 'working_day', 'Làm bù cho ngày 29/4'),
    ('2024-09-02', 'day_off', 'Quốc khánh'),
    ('2024-09-03', 'day_off', 'Quốc khánh (ngày liền kề)'),
    ('2025-01-01', 'day_off', 'Tết Dương lịch'),
    ('2025-01-27', 'day_off', 'Tết Nguyên đán (trước mùng 1)'),
    ('2025-01-28', 'day_off', 'Tết Nguyên đán (trước mùng 1)'),
    ('2025-01-29', 'day_off', 'Tết Nguyên đán (mùng 1)'),
    ('2025-01-30', 'day_off', 'Tết Nguyên đán (mùng 2)'),
    ('2025-01-31', 'day_off', 'Tết Nguyên đán (mùng 3)'),
    ('2025-04-07', 'day_off', 'Giỗ Tổ Hùng Vương (10/3 âm lịch)'),
    ('2025-04-26', 'working_day', 'Làm bù cho ngày 2/5'),
    ('2025-04-30', 'day_off', 'Ngày Chiến thắng'),
    ('2025-05-01', 'day_off', 'Ngày Quốc tế Lao động'),
    ('2025-05-02', 'day_off', 'Nghỉ hoán đổi (làm bù thứ Bảy 26/4)'),
    ('2025-09-01', 'day_off', 'Quốc khánh (ngày liền kề)'),
    ('2025-09-02', 'day_off', 'Quốc khánh'),
    ('2026-01-01', 'day_off', 'Tết Dương lịch'),
    ('2026-01-02', 'day_off', 'Nghỉ hoán đổi (làm bù thứ Bảy 10/1)'),
    ('2026-01-10', 'working_day', 'Làm bù cho ngày 2/1'),
    ('2026-02-16', 'day_off', 'Tết Nguyên đán (trước mùng 1)'),
    ('2026-02-17', 'day_off', 'Tết Nguyên đán (mùng 1)'),
    ('2026-02-18', 'day_off', 'Tết Nguyên đán (mùng 2)'),
    ('2026-02-19', 'day_off', 'Tết Nguyên đán (mùng 3)'),
    ('2026-02-20', 'day_off', 'Tết Nguyên đán (mùng 4)'),
    ('2026-04-27', 'day_off', 'Nghỉ bù Giỗ Tổ Hùng Vương (26/4 là Chủ nhật)'),
    ('2026-04-30', 'day_off', 'Ngày Chiến thắng'),
    ('2026-05-01', 'day_off', 'Ngày Quốc tế Lao động'),
    ('2026-09-01', 'day_off', 'Quốc khánh (ngày liền kề)'),
    ('2026-09-02', 'day_off', 'Quốc khánh');
