using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DependencyProxy.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class SyncRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SyncRules",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    GroupId = table.Column<long>(type: "bigint", nullable: false),
                    Image = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    TagPattern = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    PatternType = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    IntervalMinutes = table.Column<int>(type: "integer", nullable: false),
                    MaxTags = table.Column<int>(type: "integer", nullable: false),
                    Mode = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Platforms = table.Column<string>(type: "character varying(1020)", maxLength: 1020, nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastRunAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    NextRunAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastJobId = table.Column<long>(type: "bigint", nullable: true),
                    LastRunStatus = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    LastRunTags = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    PinnedJobId = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SyncRules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SyncRules_Groups_GroupId",
                        column: x => x.GroupId,
                        principalTable: "Groups",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SyncRulePins",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SyncRuleId = table.Column<long>(type: "bigint", nullable: false),
                    GroupId = table.Column<long>(type: "bigint", nullable: false),
                    Digest = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SyncRulePins", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SyncRulePins_SyncRules_SyncRuleId",
                        column: x => x.SyncRuleId,
                        principalTable: "SyncRules",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SyncRulePins_Digest",
                table: "SyncRulePins",
                column: "Digest");

            migrationBuilder.CreateIndex(
                name: "IX_SyncRulePins_GroupId_Digest",
                table: "SyncRulePins",
                columns: new[] { "GroupId", "Digest" });

            migrationBuilder.CreateIndex(
                name: "IX_SyncRulePins_SyncRuleId_Digest",
                table: "SyncRulePins",
                columns: new[] { "SyncRuleId", "Digest" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SyncRules_Enabled_NextRunAt",
                table: "SyncRules",
                columns: new[] { "Enabled", "NextRunAt" });

            migrationBuilder.CreateIndex(
                name: "IX_SyncRules_GroupId",
                table: "SyncRules",
                column: "GroupId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SyncRulePins");

            migrationBuilder.DropTable(
                name: "SyncRules");
        }
    }
}
