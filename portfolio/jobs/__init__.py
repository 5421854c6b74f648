"""Long work in the background: a job table, a worker thread in each web process, a page with a
progress bar. A job that was running when its process stopped is taken up again by another."""
