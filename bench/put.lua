-- wrk script: every request files a real change (a new revision) of a commune's report for the
-- current month, as an admin, with the seed report's 37 values and identity-consistent dossiers.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  month = args[2]
  first = tonumber(args[3])
  communes = tonumber(args[4])
end

local fixed = '"par_plan_issued":true,"par_communication_plan_issued":true,"par_inspection_plan_issued":true,' ..
  '"satisfaction_survey_conducted":true,"dossiers_carried_over":0,"dossiers_received_direct":0,' ..
  '"dossiers_resolved_on_time":33,"dossiers_resolved_overdue":1,"dossiers_pending_within_deadline":2,' ..
  '"dossiers_pending_overdue":0,"regulation_feedback_received":0,"procedures_publicly_posted":true,' ..
  '"committee_chairs":1,"committee_vice_chairs":1,"committee_members":2,"civil_servant_titles":7,"staff_total":20,' ..
  '"civil_servants":9,"civil_servants_meeting_standard":9,"civil_servants_university_degree":9,' ..
  '"civil_servants_political_theory_intermediate":7,"training_courses_attended":1,"internal_spending_rules_issued":true,' ..
  '"one_stop_allowance_vnd":250000,"documents_digitally_signed_rate":100,"edocs_incoming_rate":99,' ..
  '"edocs_outgoing_rate":80,"edocs_exchange_rate":95,"computers":20,"computers_internet_rate":100,' ..
  '"computers_antivirus_rate":100,"official_email_use_rate":100,"iso_9001_applied":true,"one_stop_room_area_m2":40,' ..
  '"online_services_level_3_4":true'

function request()
  counter = counter + 1
  -- Threads take disjoint communes, so concurrent requests write different reports.
  local commune = first + ((counter * 2 + thread_id) % communes)
  local online = 36 + counter
  local body = '{"values":{' .. fixed .. ',"dossiers_received_online":' .. online ..
    ',"dossiers_resolved_early":' .. (online - 36) .. '}}'
  local path = string.format("/api/v1/communes/%05d/reports/%s", commune, month)
  return wrk.format("PUT", path, {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
