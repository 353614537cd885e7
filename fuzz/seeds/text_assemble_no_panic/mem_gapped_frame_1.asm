call function_f
exit
function_f:
stxdw [r10-8], r10
ldxdw r0, [r10-8]
exit
