"""The timeline (Gantt): projects' build years with their milestones, planned and actual."""
