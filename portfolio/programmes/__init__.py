"""专栏 tasks: the quantitative items of each programme box (新建17所中小学校…) with their target,
the projects that deliver them and dated progress entries."""
