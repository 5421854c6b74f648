"""The quarterly round (季度报送): the reporting calendar (报送截止日), who has reported what for
the 报告期 (报送情况), reminders to late counties (催报) and a county's to-do."""
