"""Quarterly progress, annual investment plans and milestones of a project, and the review of a
county's quarter (草稿 → 已报送 → 已审核，or 退回)."""
